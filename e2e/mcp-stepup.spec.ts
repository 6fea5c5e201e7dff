/**
 * Step-up through a real SDK client, in real Chromium with the built extension: the SDK-built example server
 * answers `delete_notes` (needs mcp.admin) with 403 `insufficient_scope` and `scope=` (held + needed);
 * `@modelcontextprotocol/client` 2.x re-authorizes for the union; the person sees a NEW pending request that says
 * what is already granted and what is added, in the tab and in the popup; after approval the call succeeds.
 * (`@modelcontextprotocol/sdk` 1.32 does not step up: it refreshes and gives up, see authorize-stepup.test.ts.)
 */
import type { Page } from '@playwright/test';
import { expect, pairThroughOptions, test } from './fixtures.js';
import { SDK_V2 } from './support/mcp-sdks.js';
import { mcpWorld } from './support/mcp-world.js';

test.describe.configure({ timeout: 120_000 });

const STEP_UP = 'More access for a connected app: already granted mcp.read mcp.write; adds mcp.admin.';

async function approveInTab(page: Page, callback: string, untick: string[] = []): Promise<URL> {
  await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/src\/approve\/index\.html\?grant=grt_/);
  const card = page.getByRole('listitem').filter({ hasText: 'SDK test client (registered itself, not verified)' });
  await expect(card).toBeVisible();
  for (const scope of untick) await card.getByLabel(scope).uncheck();
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`${callback}?code=`);
  return new URL(page.url());
}

test('@modelcontextprotocol/client 2.x steps up on insufficient_scope: a new request naming held and added scopes', async ({
  context,
  daemon,
  options,
  popup,
}) => {
  await pairThroughOptions(options, daemon);
  const w = await mcpWorld(daemon, context);
  try {
    const finish = await SDK_V2.authorize(w.mcpUrl, w.provider);
    await finish(await approveInTab(w.tab(), w.callback, ['mcp.admin']));
    const conn = await SDK_V2.connect(w.mcpUrl, w.provider);
    const held = (await conn.call('whoami')) as { scope: string; grant_id: string };
    expect(held.scope).toBe('mcp.read mcp.write');

    // the tool needs mcp.admin: 403 insufficient_scope → the SDK opens a new authorization for the union
    const firstTab = w.tab();
    await expect(conn.call('delete_notes')).rejects.toThrow();
    expect(w.tab()).not.toBe(firstTab);
    await expect.poll(async () => (await w.pendingIds()).length, { timeout: 15_000 }).toBe(1);
    const [stepUpId] = await w.pendingIds();
    expect(stepUpId).not.toBe(held.grant_id);

    // the popup's card says what is already granted and what is added
    const p = await popup();
    const pending = p.getByRole('listitem').filter({ hasText: STEP_UP });
    await expect(pending).toBeVisible();
    for (const scope of ['mcp.read', 'mcp.write', 'mcp.admin']) await expect(pending.getByLabel(scope)).toBeChecked();
    // each scope it already holds is marked, so what the request adds stands out
    const row = (scope: string) => pending.getByRole('listitem').filter({ has: p.getByLabel(scope, { exact: true }) });
    for (const scope of ['mcp.read', 'mcp.write']) await expect(row(scope)).toContainText('Already granted');
    await expect(row('mcp.admin')).not.toContainText('Already granted');
    await p.screenshot({ path: 'test-results/screenshots/mcp-stepup-popup.png', fullPage: true });
    await p.close();

    // so does the card in the tab the client opened; the person approves it there
    const tab = w.tab();
    await expect.poll(() => tab.url(), { timeout: 15_000 }).toMatch(/\/src\/approve\/index\.html\?grant=grt_/);
    await expect(tab.getByRole('listitem').filter({ hasText: STEP_UP })).toBeVisible();
    await tab.screenshot({ path: 'test-results/screenshots/mcp-stepup.png', fullPage: true });
    await conn.finishAuth(await approveInTab(tab, w.callback));

    expect(await conn.call('delete_notes')).toEqual({ deleted: true });
    expect(await conn.call('whoami')).toMatchObject({ scope: 'mcp.read mcp.write mcp.admin', grant_id: stepUpId });
    await conn.close();
  } finally {
    await w.close();
  }
});
