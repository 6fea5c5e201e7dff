/**
 * Issue 11 done-when, in real Chromium with the built extension and the real daemon, for both unmodified MCP client
 * SDKs (1.32 and 2.x) with a standard OAuthClientProvider against the SDK-built example server protected by
 * Mandate. The authorization URL opens in a browser tab; the daemon's /authorize passes interception, and the tab
 * shows the request's card in the extension; the person unticks one scope and picks 15 minutes; the tab returns to
 * the client with a code. The tool call's claims match; after Revoke in the popup the next call fails and the
 * refresh is refused; a second connection is a new pending request.
 */
import type { Page } from '@playwright/test';
import { expect, pairThroughOptions, test } from './fixtures.js';
import { SDKS } from './support/mcp-sdks.js';
import { mcpWorld } from './support/mcp-world.js';

/** The card for the client's request, shown in the tab the client opened. */
async function cardInTab(page: Page) {
  await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/src\/approve\/index\.html\?grant=grt_/);
  const card = page.getByRole('listitem').filter({ hasText: 'SDK test client (registered itself, not verified)' });
  await expect(card).toBeVisible();
  return card;
}

// Two real SDKs, a real browser and (here) CLI processes on a loaded 2-core machine: more than the default minute.
test.describe.configure({ timeout: 120_000 });

for (const sdk of SDKS) {
  test(`${sdk.name} connects through Mandate: same-tab card, narrowed, revoked in the popup, asks again`, async ({ context, daemon, options, popup }) => {
    await pairThroughOptions(options, daemon);
    const w = await mcpWorld(daemon, context);
    try {
      const finish = await sdk.authorize(w.mcpUrl, w.provider);
      const page = w.tab();
      const card = await cardInTab(page);
      await page.screenshot({ path: `test-results/screenshots/mcp-approve-${sdk === SDKS[0] ? 'sdk132' : 'v2'}.png`, fullPage: true });
      await card.getByLabel('mcp.admin').uncheck();
      await card.getByLabel('Duration').selectOption({ label: '15 minutes' });
      await card.getByRole('button', { name: 'Approve' }).click();
      // the tab goes back to the daemon's waiting URL, which sends it to the app's redirect URI with the code
      await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`${w.callback}?code=`);
      await expect(page.getByText('back in the app')).toBeVisible();
      const back = new URL(page.url());
      expect(back.searchParams.get('iss')).toBe(daemon.daemon.url);
      await finish(back);

      const conn = await sdk.connect(w.mcpUrl, w.provider);
      const claims = (await conn.call('whoami')) as { scope: string; aud: string; act: { sub: string }; grant_id: string };
      expect(claims).toMatchObject({ sub: 'user:alice@e2e', scope: 'mcp.read mcp.write', aud: w.mcpUrl, act: { sub: w.provider.client!.client_id } });
      const grant = (await (await daemon.admin('GET', `/grants/${claims.grant_id}`)).json()) as { expires_at: number; decided_at: number };
      expect(grant.expires_at - grant.decided_at).toBe(900);

      const p = await popup();
      await p.getByRole('listitem').filter({ hasText: 'SDK test client' }).getByRole('button', { name: 'Revoke' }).click();
      await expect(p.getByRole('status').filter({ hasText: 'Revoked' })).toBeVisible();
      await expect(conn.call('whoami')).rejects.toThrow();
      // the SDK tried its refresh token, and the daemon refused it (audited against the revoked grant)
      const audit = (await (await daemon.admin('GET', '/audit?type=token.refused')).json()) as { events: { grant_id: string | null }[] };
      expect(audit.events.some((e) => e.grant_id === claims.grant_id)).toBe(true);
      await conn.close().catch(() => undefined);

      // a second connection: a new pending request (the client starts it once its refresh is refused)
      await expect.poll(async () => (await w.pendingIds()).length, { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await w.pendingIds()).not.toContain(claims.grant_id);
    } finally {
      await w.close();
    }
  });
}
