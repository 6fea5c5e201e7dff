import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { agentCreated } from '#shared/admin-api.js';
import { expect, pairThroughOptions, test } from './fixtures.js';
import { startAuthServer, type AuthServer } from './support/oidc-server.js';

/**
 * Issue 13: real consent requests for Outlook, Teams, SharePoint, HubSpot and Linear (fixtures built
 * from each provider's documented scopes) render in the review page and the popup with every scope
 * in plain words: no Unknown pill, no "not in Mandate's catalog" line.
 */
interface ConsentFixture {
  provider: string;
  documentation: string;
  resource: string;
  scope: string;
}
const FIXTURES = ['outlook', 'teams', 'sharepoint', 'hubspot', 'linear'].map(
  (name) => [name, JSON.parse(readFileSync(resolve(import.meta.dirname, `fixtures/consent-requests/${name}.json`), 'utf8')) as ConsentFixture] as const,
);

let as: AuthServer;
test.beforeEach(async () => {
  as = await startAuthServer();
});
test.afterEach(async () => {
  await as.close();
});

for (const [name, fixture] of FIXTURES) {
  test(`${fixture.provider}: every scope explained on the review page and in the popup`, async ({ context, daemon, options, extensionId, popup }) => {
    const scopes = fixture.scope.split(' ');
    await pairThroughOptions(options, daemon);

    // review page (flow D): the navigation is redirected to the extension before the provider hears it
    const page = await context.newPage();
    await page.goto(as.authorizeUrl(fixture.scope)).catch(() => undefined);
    await expect(page).toHaveURL(new RegExp(`^chrome-extension://${extensionId}/src/review/index\\.html`));
    for (const s of scopes) await expect(page.getByLabel(s, { exact: true })).toBeAttached();
    await expect(page.locator('.scope')).toHaveCount(scopes.length);
    await expect(page.locator('.risk-unknown')).toHaveCount(0); // neither a scope nor the overall summary
    await expect(page.getByText('not in Mandate’s catalog')).toHaveCount(0);
    await page.screenshot({ path: `test-results/screenshots/catalog-review-${name}.png`, fullPage: true });

    // popup (flow A): the same scopes asked by an agent over CIBA
    const res = await daemon.admin('POST', '/agents', { name: `${fixture.provider} agent`, scopes, resources: [fixture.resource] });
    expect(res.status).toBe(201);
    const agent = agentCreated.parse(await res.json());
    await daemon.request(agent, { scope: fixture.scope, resource: fixture.resource });
    const p = await popup();
    const card = p.getByRole('listitem').filter({ hasText: `${fixture.provider} agent` });
    await expect(card).toBeVisible();
    await expect(card.locator('.scope')).toHaveCount(scopes.length);
    await expect(card.locator('.risk-unknown')).toHaveCount(0);
    await expect(card.getByText('not in Mandate’s catalog')).toHaveCount(0);
  });
}

test('an unknown scope is shown verbatim, flagged and counted on the review page', async ({ context, daemon, options, extensionId }) => {
  await pairThroughOptions(options, daemon);
  const page = await context.newPage();
  await page.goto(as.authorizeUrl('openid acme:launch-rockets')).catch(() => undefined);
  await expect(page).toHaveURL(new RegExp(`^chrome-extension://${extensionId}/src/review/index\\.html`));
  await expect(page.locator('.scope .risk-unknown')).toHaveCount(1);
  await expect(page.getByText('acme:launch-rockets', { exact: true })).toBeVisible();
  await expect(page.getByText('1 permission is not in Mandate’s catalog')).toBeVisible();
});
