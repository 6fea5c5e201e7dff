import type { Page } from '@playwright/test';
import { externalGrantList } from '#shared/admin-api.js';
import { expect, pairThroughOptions, test } from './fixtures.js';
import { GMAIL_READ, GMAIL_SEND, startAuthServer, type AuthServer } from './support/oidc-server.js';

/**
 * Flow D against a real third-party authorization server (node-oidc-provider on loopback) whose client
 * returns to a loopback callback, an agent platform Mandate knows. The server's own request log is the
 * witness for what reached it, and when.
 */
let as: AuthServer;
test.beforeEach(async () => {
  as = await startAuthServer();
});
test.afterEach(async () => {
  await as.close();
});

const authRequests = () => as.log.filter((r) => r.path === '/auth');

async function openConsent(page: Page, extensionId: string, scope: string): Promise<void> {
  await page.goto(as.authorizeUrl(scope)).catch(() => undefined); // the navigation is redirected to the extension
  await expect(page).toHaveURL(new RegExp(`^chrome-extension://${extensionId}/src/review/index\\.html\\?via=get$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('wants access to your 127.0.0.1');
}

async function externals(daemon: { admin: (m: string, p: string) => Promise<Response> }) {
  return externalGrantList.parse(await (await daemon.admin('GET', '/external-grants?all=true')).json()).grants;
}

test('the review page appears before the provider hears anything; unticking a scope narrows what it receives; the code is recorded as granted', async ({
  context,
  daemon,
  options,
  extensionId,
  popup,
  worker,
}, testInfo) => {
  await pairThroughOptions(options, daemon);
  const page = await context.newPage();
  await openConsent(page, extensionId, `openid ${GMAIL_READ} ${GMAIL_SEND}`);
  expect(authRequests()).toEqual([]); // nothing reached the authorization server

  await expect(page.getByText('Send email as you')).toBeVisible();
  await expect(page.getByText('Yes (S256)')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/review.png', fullPage: true });
  await page.screenshot({ path: testInfo.outputPath('review.png'), fullPage: true });
  await page.getByLabel(GMAIL_SEND).uncheck();
  await page.getByLabel('Duration').selectOption({ label: '1 hour' });
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect.poll(() => authRequests().length).toBe(1);
  expect(authRequests()[0]!.query.get('scope')).toBe(`openid ${GMAIL_READ}`);
  expect(authRequests()[0]!.query.get('code_challenge')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');

  // the provider's own (development) login and consent screens
  await page.locator('input[name="login"]').fill('alice');
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(new RegExp(`^${as.callback}\\?code=`));

  await expect.poll(async () => (await externals(daemon)).map((g) => g.status)).toEqual(['granted']);
  const [g] = await externals(daemon);
  expect(g).toMatchObject({
    platform: 'local',
    provider_host: new URL(as.issuer).host,
    client_id: 'agent-platform',
    allowed_scope: ['openid', GMAIL_READ],
    pkce: true,
  });
  expect(g!.expires_at - g!.created_at).toBe(3600);

  const p = await popup();
  const item = p.getByRole('listitem').filter({ hasText: 'Local agent →' });
  await expect(item).toContainText('Read all your email');
  await expect(item.getByText(/^(59|60):\d\d$/)).toBeVisible();
  await p.screenshot({ path: 'test-results/screenshots/popup-external.png' });

  // at expiry: a notification that offers the provider's page
  daemon.advance(3601);
  await expect
    .poll(() => worker.evaluate(() => chrome.notifications.getAll()).then((n) => Object.keys(n).filter((k) => k.startsWith('expired:')).length))
    .toBe(1);
  expect((await externals(daemon))[0]!.status).toBe('expired');
});

test('Block sends nothing to the provider and is recorded', async ({ context, daemon, options, extensionId }) => {
  await pairThroughOptions(options, daemon);
  const page = await context.newPage();
  await openConsent(page, extensionId, `openid ${GMAIL_SEND}`);
  await page.getByRole('button', { name: 'Block' }).click();
  await expect(page.getByRole('heading', { name: 'Blocked' })).toBeVisible();
  expect(authRequests()).toEqual([]);
  await expect.poll(async () => (await externals(daemon)).map((g) => [g.status, g.allowed_scope])).toEqual([['blocked', []]]);
});

test('an access_denied redirect is recorded as denied', async ({ context, daemon, options, extensionId }) => {
  await pairThroughOptions(options, daemon);
  const page = await context.newPage();
  await openConsent(page, extensionId, `openid ${GMAIL_READ}`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('link', { name: '[ Cancel ]' }).click();
  await expect(page).toHaveURL(new RegExp(`^${as.callback}\\?error=access_denied`));
  await expect.poll(async () => (await externals(daemon)).map((g) => [g.status, g.outcome_error])).toEqual([['denied', 'access_denied']]);
});

test('without the daemon nothing is sent: the request cannot be recorded, so it cannot continue', async ({ context, daemon, options, extensionId }) => {
  await pairThroughOptions(options, daemon);
  await daemon.stop();
  const page = await context.newPage();
  await openConsent(page, extensionId, `openid ${GMAIL_READ}`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('Not sent');
  expect(authRequests()).toEqual([]);
});
