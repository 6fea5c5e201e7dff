/**
 * How the daemon routes (app.ts): the standard endpoints are fixed paths matched by Hono's one-regex router, and the
 * admin API, whose `/grants/revoke-all` beside `/grants/:id/revoke` that router cannot take, is an app mounted on its
 * own. A param route added beside the standard endpoints would make start-up throw; these tests pin the rest.
 */
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { describe, expect, it } from 'vitest';
import { ADMIN_ENDPOINTS, ADMIN_PREFIX } from '#shared/admin-contract.js';
import { createApp } from '../src/app.js';
import { DEFAULT_MCP_CLIENT_OPTIONS } from '../src/clients/mcp-clients.js';
import { startTestDaemon } from './harness.js';

describe('routing', () => {
  it('matches the standard endpoints with one regular expression, and hands every /admin path to the admin app', async () => {
    const d = await startTestDaemon();
    const { app } = createApp(d.ctx, () => d.port, DEFAULT_MCP_CLIENT_OPTIONS);
    expect(app.router).toBeInstanceOf(RegExpRouter);
    const paths = app.routes.map((r) => r.path);
    expect(paths.filter((p) => p.includes(':'))).toEqual([]);
    expect(paths.filter((p) => p.startsWith(ADMIN_PREFIX))).toEqual([`${ADMIN_PREFIX}/*`]);
  });

  it('reaches the handler of every endpoint in the admin contract through the mount', async () => {
    const d = await startTestDaemon();
    for (const [name, e] of Object.entries(ADMIN_ENDPOINTS)) {
      if ('stream' in e) continue; // the event stream stays open (events.test.ts covers it)
      const res = await d.admin(e.method, e.path.replace(/:[a-z_]+/g, 'no-such-id'), e.method === 'GET' || e.method === 'DELETE' ? undefined : {});
      const body = (await res.json()) as { error_description?: string };
      // a handler may refuse the made-up id or empty body, but the router must not: its 404 says "no route"
      expect(body.error_description ?? '', name).not.toMatch(/^no route/);
    }
  });

  it('answers a path no app has with the OAuth 404, inside /admin (once authenticated, as before) and outside it', async () => {
    const d = await startTestDaemon();
    for (const res of [await d.admin('GET', '/no-such-endpoint'), await d.admin('GET', ''), await fetch(`${d.url}/no-such-endpoint`)]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not_found', error_description: expect.stringMatching(/^no route GET \//) });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // below /admin, authentication comes before routing, so a stranger cannot map the API
    expect((await fetch(`${d.url}${ADMIN_PREFIX}/no-such-endpoint`)).status).toBe(401);
  });
});
