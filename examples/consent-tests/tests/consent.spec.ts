/**
 * The mail assistant's consent flows, tested against the real Mandate daemon and extension with
 * mandate/playwright: every page object, helper and matcher of the kit appears here at least once.
 */
import { expect, type Mandate, test } from 'mandate/playwright';
import type { Page } from '@playwright/test';
import { MailAgent, startMailApi, type MailApi } from '../app/mail-agent.js';
import { MAIL_READ, MAIL_SEND } from '../app/provider.js';
import { SCOPES, startWebApp, type WebApp } from '../app/web-app.js';

let app: WebApp;
test.beforeEach(async () => {
  app = await startWebApp();
});
test.afterEach(async () => {
  await app.close();
});

/** What reached the provider's authorization endpoint: nothing may, before the person decided. */
const authRequests = () => app.provider.log.filter((r) => r.path === '/auth');

async function connect(page: Page): Promise<void> {
  await page.goto(app.url);
  await page.getByRole('link', { name: 'Connect your mail' }).click();
}

/** The provider's own development login and consent screens (not Mandate's). */
async function signInAtProvider(page: Page): Promise<void> {
  await page.locator('input[name="login"]').fill('alice');
  await page.locator('input[name="password"]').fill('anything');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click();
}

test('the app asks for exactly its scopes, with PKCE', async ({ page, mandate }) => {
  await connect(page);
  const review = await mandate.review.next();
  expect(review).toRequestScopes(SCOPES);
  expect(review).toRequestAtMostScopes([...SCOPES, 'offline_access']);
  expect(review).not.toRequestAtMostScopes([MAIL_READ]);
  expect(review).toUsePkce();
  expect(review).toMatchObject({
    platform: 'Local agent or MCP client',
    provider: new URL(app.provider.issuer).host,
    clientId: 'mail-assistant',
    redirectUri: new URL('callback', app.url).href,
    resource: [],
    authorizationDetails: undefined,
    pkce: 'S256',
  });
  expect(authRequests()).toEqual([]);
});

test('the app handles a narrowed grant: sending stays off', async ({ page, mandate }) => {
  await connect(page);
  const review = await mandate.review.next();
  await review.untick(MAIL_SEND);
  await review.setDuration('15m');
  await review.continue();
  expect(authRequests().map((r) => r.query.get('scope'))).toEqual([`openid ${MAIL_READ}`]);
  await signInAtProvider(page);
  await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
  await expect(page.getByText('Reading mail: on')).toBeVisible();
  await expect(page.getByText('Sending mail: off (not allowed)')).toBeVisible();
  await expect(mandate).toHaveAuditEvent({ type: 'external.granted', outcome: 'ok' });
});

test('the app handles Block: nothing reaches the provider and the app stays disconnected', async ({ page, mandate }) => {
  await connect(page);
  const review = await mandate.review.next();
  await review.block();
  expect(authRequests()).toEqual([]);
  await expect(mandate).toHaveAuditEvent({ type: 'external.blocked', outcome: 'refused' });
  await page.goto(app.url);
  await expect(page.getByText('Not connected.')).toBeVisible();
});

test.describe('an agent working through Mandate (CIBA)', () => {
  let api: MailApi;
  test.beforeEach(async ({ mandate }) => {
    api = await startMailApi(mandate.daemon.url);
    api.credentials = await mandate.agents.add({ name: 'Mail API', kind: 'resource_server', resources: [api.url] });
  });
  test.afterEach(async () => {
    await api.close();
  });

  async function agentAsking(mandate: Mandate, name = 'Mail agent') {
    const credentials = await mandate.agents.add({ name, scopes: [MAIL_READ, MAIL_SEND], resources: [api.url] });
    const agent = new MailAgent(mandate.daemon.url, credentials, api.url);
    return { agent, credentials, asking: agent.ask([MAIL_READ, MAIL_SEND], 'Summarise my unread mail') };
  }

  test('approved in the popup, its token is a Mandate token; the API refuses what was not granted', async ({ mandate }) => {
    const { agent, credentials, asking } = await agentAsking(mandate);
    const request = await mandate.popup.next();
    expect(request).toMatchObject({ agent: 'Mail agent', task: 'Summarise my unread mail', scopes: [MAIL_READ, MAIL_SEND], resource: api.url });
    await request.approve({ scopes: [MAIL_READ], duration: '15m' });
    await asking;
    expect(agent.token).toBeMandateToken({ scope: [MAIL_READ], aud: api.url, sub: mandate.daemon.person, act: credentials.clientId });
    expect(agent.token).not.toBeMandateToken({ scope: [MAIL_READ, MAIL_SEND] });
    expect(await agent.step('read')).toBe(true);
    expect(await agent.step('draft')).toBe(false);
    expect(agent.status).toBe('stopped: missing permission');
    await expect(mandate).toHaveAuditEvent({ type: 'grant.approved', agent: 'Mail agent' });

    const [live] = (await mandate.grants()).filter((g) => g.status === 'approved');
    expect(await mandate.revoke(live!.id)).toMatchObject({ status: 'revoked' });
    expect(await agent.step('read')).toBe(false);
  });

  test('revoked in the popup halfway through, the agent stops cleanly', async ({ mandate }) => {
    const { agent, asking } = await agentAsking(mandate);
    await (await mandate.popup.next()).approve();
    await asking;
    expect(await agent.step('read')).toBe(true);
    await mandate.popup.revoke('Mail agent');
    expect(await agent.step('draft')).toBe(false);
    expect(agent.status).toBe('stopped: access was revoked or expired');
    await expect(mandate).toHaveAuditEvent({ type: 'grant.revoked', agent: 'Mail agent' });
  });

  test('denied in the popup, or expired: the agent never works on', async ({ mandate }) => {
    const first = await agentAsking(mandate);
    await (await mandate.popup.next()).deny();
    await first.asking;
    expect(first.agent.status).toBe('not allowed: access_denied');
    expect(await mandate.audit({ type: 'grant.denied' })).toHaveLength(1);

    const second = await agentAsking(mandate, 'Second agent');
    await (await mandate.popup.next()).approve({ duration: 20 });
    await second.asking;
    const [live] = (await mandate.grants()).filter((g) => g.status === 'approved');
    expect(await mandate.expire(live!.id)).toMatchObject({ status: 'expired' });
    expect(await second.agent.step('read')).toBe(false);

    const cli = await mandate.cli('grants', '--all', '--json');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(live!.id);
  });

  test('Revoke all in the popup stops every agent', async ({ mandate }) => {
    const one = await agentAsking(mandate, 'Agent one');
    const two = await agentAsking(mandate, 'Agent two');
    await (await mandate.popup.next()).approve();
    await (await mandate.popup.next()).approve();
    await Promise.all([one.asking, two.asking]);
    await mandate.popup.revokeAll();
    expect(await one.agent.step('read')).toBe(false);
    expect(await two.agent.step('read')).toBe(false);
  });
});
