import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentCreated, type AgentCreated } from '#shared/admin-api.js';
import { startDaemon, type RunningDaemon } from '../daemon/src/daemon.js';
import { chromiumMissing, launch } from './chromium.js';

/**
 * Threat: any web page the person visits tries to drive the daemon on loopback (the 2019 Zoom bug).
 * A real Chromium loads a hostile page from another loopback port; the daemon must give it nothing.
 */
let daemon: RunningDaemon;
let home: string;
let site: Server;
let siteUrl: string;

test.beforeAll(async () => {
  test.skip(chromiumMissing() !== undefined, chromiumMissing());
  home = mkdtempSync(join(tmpdir(), 'mandate-e2e-'));
  daemon = await startDaemon({ home, port: 0, person: 'user:e2e@host', log: () => {} });
  site = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>evil</title><p>hello'));
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  siteUrl = `http://localhost:${(site.address() as { port: number }).port}/`;
});

/** Registers an agent through the real admin API with the CLI credential. */
async function registerAgent(): Promise<AgentCreated> {
  const credential = readFileSync(join(home, 'cli-credential'), 'utf8').trim();
  const res = await fetch(`${daemon.url}/admin/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Leaky agent', scopes: ['mail.read'], resources: ['https://mail.example/'] }),
  });
  return agentCreated.parse(await res.json());
}

test.afterAll(async () => {
  site?.close();
  await daemon?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('a web page can neither read nor change anything in the daemon', async () => {
  const { context, close } = await launch();
  try {
    const page = await context.newPage();
    await page.goto(siteUrl);
    const outcome = await page.evaluate(async (base) => {
      const results: Record<string, string> = {};
      const tryFetch = async (name: string, url: string, init: RequestInit) => {
        try {
          const r = await fetch(url, init);
          results[name] = `status ${r.status}: ${await r.text()}`;
        } catch (e) {
          results[name] = `blocked: ${(e as Error).name}`;
        }
      };
      await tryFetch('read pending', `${base}/admin/requests`, { headers: { authorization: 'Bearer guess' } });
      await tryFetch('pair', `${base}/admin/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":"AAAA-AAAA"}' });
      await tryFetch('blind form post', `${base}/admin/grants/revoke-all`, { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ a: '1' }) });
      await tryFetch('metadata', `${base}/.well-known/oauth-authorization-server`, {});
      return results;
    }, daemon.url);
    for (const [name, result] of Object.entries(outcome)) {
      expect(result, name).toMatch(/^blocked|^status 0/);
    }
    // and from the daemon's side nothing happened: no pairing, no audit rows beyond the start-up pairing code
    const types = daemon.ctx.audit.query({ limit: 10 }).map((e) => e.type);
    expect(types.filter((t) => t !== 'client.registered' && t !== 'admin.pairing_code_created')).toEqual([]);
    expect(daemon.ctx.credentials.list().filter((c) => c.kind === 'extension')).toEqual([]);
  } finally {
    await close();
  }
});

test('a page that knows an agent secret still cannot file a request through the browser (Origin check)', async () => {
  const agent = await registerAgent();
  const { context, close } = await launch();
  try {
    const page = await context.newPage();
    await page.goto(siteUrl);
    await page.evaluate(
      async ({ base, id, secret }) => {
        const body = new URLSearchParams({ client_id: id, client_secret: secret, scope: 'mail.read', resource: 'https://mail.example/' });
        await fetch(`${base}/bc-authorize`, { method: 'POST', mode: 'no-cors', body }).catch(() => undefined);
      },
      { base: daemon.url, id: agent.client_id, secret: agent.client_secret },
    );
    expect(daemon.ctx.grants.listPending(daemon.ctx.clock())).toEqual([]);
  } finally {
    await close();
  }
});

test('DNS rebinding: a hostname that resolves to 127.0.0.1 gets 403, same-origin or not (Host check)', async () => {
  const agent = await registerAgent();
  const { context, close } = await launch(undefined, ['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
  try {
    const page = await context.newPage();
    const rebound = `http://rebind.test:${daemon.port}`;
    const res = await page.goto(`${rebound}/.well-known/oauth-authorization-server`);
    expect(res?.status()).toBe(403);
    expect(JSON.parse(await page.locator('body').innerText())).toMatchObject({ error: 'invalid_request' });
    const status = await page.evaluate(
      async ({ id, secret }) => {
        const body = new URLSearchParams({ client_id: id, client_secret: secret, scope: 'mail.read', resource: 'https://mail.example/' });
        return (await fetch('/bc-authorize', { method: 'POST', body })).status;
      },
      { id: agent.client_id, secret: agent.client_secret },
    );
    expect(status).toBe(403);
    expect(daemon.ctx.grants.listPending(daemon.ctx.clock())).toEqual([]);
  } finally {
    await close();
  }
});
