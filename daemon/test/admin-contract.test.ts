import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdminCallError, adminClient } from '#shared/admin-client.js';
import { ADMIN_ENDPOINTS, ADMIN_PREFIX, type AdminName, adminPath } from '#shared/admin-contract.js';
import { startTestDaemon } from './harness.js';

const ROOT = join(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', 'test-results', '.git', 'playwright-report']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(name) ? [path] : [];
  });
}

describe('one admin API contract', () => {
  it('no admin path string exists outside shared/ (paths come from the contract)', () => {
    const offenders = ['daemon', 'extension', 'e2e', 'bench', 'examples', 'bin', 'scripts']
      .filter((d) => {
        try {
          return statSync(join(ROOT, d)).isDirectory();
        } catch {
          return false;
        }
      })
      .flatMap((d) => sourceFiles(join(ROOT, d)))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${relative(ROOT, file)}:${i + 1}`, line }))
          .filter(({ line }) => /['"`]\/admin(\/|['"`])/.test(line)),
      )
      .map((o) => `${o.where}: ${o.line.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('the daemon serves every endpoint of the contract, each behind admin auth unless the contract says otherwise', async () => {
    const d = await startTestDaemon();
    for (const name of Object.keys(ADMIN_ENDPOINTS) as AdminName[]) {
      const e = ADMIN_ENDPOINTS[name];
      const path = e.path.replace(/:([a-z_]+)/g, 'x_1');
      const res = await fetch(d.url + ADMIN_PREFIX + path, {
        method: e.method,
        headers: 'body' in e ? { 'content-type': 'application/json' } : {},
        ...('body' in e ? { body: '{}' } : {}),
      });
      const body = (await res.json()) as { error: string };
      // a route that is not registered answers 404 not_found; a registered one refuses the missing credential or the empty body
      expect({ name, status: res.status, error: body.error }).toEqual(
        e.auth ? { name, status: 401, error: 'invalid_token' } : { name, status: 400, error: 'invalid_request' },
      );
    }
  });

  it('fills and encodes path parameters', () => {
    expect(adminPath('grants.revoke', { id: 'a/b c' })).toBe(`${ADMIN_PREFIX}/grants/a%2Fb%20c/revoke`);
    expect(adminPath('session')).toBe(`${ADMIN_PREFIX}/session`);
  });

  it('the typed client parses answers and turns refusals, silence and off-contract answers into AdminCallError', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    expect((await d.api.call('agents.list')).agents.map((a) => a.client_id)).toEqual([agent.client_id]);

    const refused = await d.api.call('grants.get', { id: 'grt_nope' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AdminCallError);
    expect(refused).toMatchObject({ code: 'daemon_refused', status: 404, oauth: { error: 'not_found' } });

    const silent = await adminClient(fetch, 'http://127.0.0.1:1')
      .call('session')
      .catch((e: unknown) => e);
    expect(silent).toMatchObject({ code: 'daemon_unreachable', exitCode: 1 });

    const offContract = await adminClient(async () => Response.json({ agents: [{ client_id: 1 }] }), d.url)
      .call('agents.list')
      .catch((e: unknown) => e);
    expect(offContract).toMatchObject({ code: 'bad_response' });
  });
});
