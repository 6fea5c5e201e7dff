/**
 * A resource server for bench/reporting.ts: one tool behind the kit's Hono middleware, in its own process.
 * `POST /tools/list_mail` verifies the Mandate token (scope mail.read) and, with BENCH_REPORTING=on, reports the
 * call through the kit's reporter to the daemon. `GET /stats` gives this process's CPU so far (process.cpuUsage(),
 * µs), the calls served and, when reporting, how many reports are still unacknowledged.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createReporter, createVerifier, mandateAuth } from '../../kits/resource-server/index.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const issuer = env('BENCH_ISSUER');
const clientId = env('BENCH_CLIENT_ID');
const clientSecret = env('BENCH_CLIENT_SECRET');
const reporting = process.env.BENCH_REPORTING === 'on';

const verifier = createVerifier({ issuer, audience: env('BENCH_AUDIENCE'), clientId, clientSecret });
await verifier.ready();
const reporter = reporting ? createReporter({ issuer, clientId, clientSecret }) : undefined;
const MAIL = [{ id: 'm1', subject: 'Lunch?' }];
let served = 0;

const app = new Hono()
  .post('/tools/list_mail', mandateAuth({ verifier, scope: 'mail.read', ...(reporter ? { reporter, tool: 'list_mail' } : {}) }), async (c) => {
    const args = (await c.req.json()) as { folder?: unknown };
    served++;
    return c.json({ folder: typeof args.folder === 'string' ? args.folder : 'inbox', messages: MAIL });
  })
  .get('/stats', (c) => {
    const cpu = process.cpuUsage();
    return c.json({ cpu: cpu.user + cpu.system, served, pending: reporter?.pending() ?? 0 });
  });

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
});
process.on('SIGTERM', () => {
  void (async () => {
    await reporter?.flush().catch(() => {});
    await reporter?.close();
    await verifier.close();
    server.close(() => process.exit(0));
  })();
});
