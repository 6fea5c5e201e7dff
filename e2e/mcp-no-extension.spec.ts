/**
 * Issue 11 done-when without the extension: plain Chromium (no extension loaded), both unmodified MCP client SDKs.
 * The client opens the authorization URL in the tab; the tab shows the daemon's waiting page, which has no
 * Approve button (any local process could drive a plain page); the person approves with the real CLI
 * (`mandate approve <id> --scope … --for 15m`); the tab moves on by itself to the client's redirect; the client
 * gets its token and calls a tool; after `mandate revoke` the next call fails.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { launch } from './chromium.js';
import { expect, test } from './fixtures.js';
import { SDKS } from './support/mcp-sdks.js';
import { mcpWorld } from './support/mcp-world.js';

const MANDATE = resolve(import.meta.dirname, '../bin/mandate.js');
const run = promisify(execFile);

// Two real SDKs, a real browser and (here) CLI processes on a loaded 2-core machine: more than the default minute.
test.describe.configure({ timeout: 120_000 });

for (const sdk of SDKS) {
  test(`${sdk.name}, no extension: waiting page without Approve, approved in the CLI, the tab moves on, revoked in the CLI`, async ({ daemon }) => {
    const cli = (...args: string[]) =>
      run(process.execPath, [MANDATE, ...args, '--home', daemon.home, '--port', String(daemon.daemon.port)], { timeout: 20_000 });
    const browser = await launch(); // plain Chromium: no extension
    const w = await mcpWorld(daemon, browser.context);
    try {
      const finish = await sdk.authorize(w.mcpUrl, w.provider);
      const page = w.tab();
      await expect(page.getByRole('heading', { name: 'Waiting for your decision in Mandate' })).toBeVisible();
      await expect(page.getByText(/^SDK test client.* asks for mcp\.read mcp\.write mcp\.admin on /)).toBeVisible();
      await expect(page.getByRole('button')).toHaveCount(0);
      await expect(page.getByRole('link', { name: /approve/i })).toHaveCount(0);
      const [id] = await w.pendingIds();
      expect(id).toMatch(/^grt_/);
      await expect(page.getByText(`mandate approve ${id}`)).toBeVisible();
      await page.screenshot({ path: `test-results/screenshots/mcp-waiting-${sdk === SDKS[0] ? 'sdk132' : 'v2'}.png`, fullPage: true });

      await cli('approve', id!, '--scope', 'mcp.read', '--scope', 'mcp.write', '--for', '15m');
      // the waiting page refreshes itself and sends the tab to the client's redirect URI with the code
      await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`${w.callback}?code=`);
      await expect(page.getByText('back in the app')).toBeVisible();
      await finish(new URL(page.url()));

      const conn = await sdk.connect(w.mcpUrl, w.provider);
      const claims = (await conn.call('whoami')) as { grant_id: string };
      expect(claims).toMatchObject({
        sub: 'user:alice@e2e',
        scope: 'mcp.read mcp.write',
        aud: w.mcpUrl,
        act: { sub: w.provider.client!.client_id },
        grant_id: id,
      });
      const grant = (await (await daemon.admin('GET', `/grants/${id}`)).json()) as { expires_at: number; decided_at: number; decided_via: string };
      expect(grant.expires_at - grant.decided_at).toBe(900);

      await cli('revoke', id!);
      await expect(conn.call('whoami')).rejects.toThrow();
      const audit = (await (await daemon.admin('GET', '/audit?type=token.refused')).json()) as { events: { grant_id: string | null }[] };
      expect(audit.events.some((e) => e.grant_id === id)).toBe(true);
      await conn.close().catch(() => undefined);
    } finally {
      await w.close();
      await browser.close();
    }
  });
}
