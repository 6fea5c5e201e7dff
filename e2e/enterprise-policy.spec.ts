/**
 * Issue: enterprise policy in real Chromium. A managed policy file under /etc/chromium/policies/managed/
 * delivers the extension's managed storage (3rdparty → extensions → <id>); the extension shows the
 * limits as set by the organisation, pushes them to the daemon, and the daemon enforces them itself.
 * Needs root to write that folder (CI has it); skipped with the reason otherwise. The file is removed after.
 */
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN, tokenResponse } from '#shared/oauth.js';
import type { Policy } from '#shared/policy.js';
import { GMAIL, READ, SEND, expect, pairThroughOptions, pollToken, test, tokenOnceDecided } from './fixtures.js';

const POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = `${POLICY_DIR}/mandate-e2e.json`;
const EXTENSION_ID = 'ffgkmgaanieiccjamnkagikpfjiadigm';
const POLICY: Policy = {
  maxDelegationMinutes: 30,
  blockedScopes: [SEND],
  alwaysAskScopes: ['https://www.googleapis.com/auth/gmail.compose'],
  blockedAgents: ['Shady bot'],
  disableAlwaysAllow: true,
  // fixes the "redesigned" ChatGPT prompt (e2e/fixtures/chatgpt/changed-markup.html) without a release
  selectorOverrides: { 'chatgpt.card': ['[data-testid="app-consent-sheet"]'] },
};

function writable(): string | undefined {
  try {
    mkdirSync(POLICY_DIR, { recursive: true });
    accessSync(POLICY_DIR, constants.W_OK);
    return undefined;
  } catch (e) {
    return `cannot write ${POLICY_DIR} (${(e as Error).message}): run as root, as CI does`;
  }
}

test.describe.configure({ mode: 'serial' });
test.beforeAll(() => {
  const why = writable();
  test.skip(why !== undefined, why);
  writeFileSync(POLICY_FILE, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: POLICY } } }, null, 2));
});
test.afterAll(() => rmSync(POLICY_FILE, { force: true }));

test('the extension receives the managed policy and shows it as set by the organisation', async ({ options, worker, daemon }) => {
  expect(await worker.evaluate(() => chrome.storage.managed.get())).toEqual(POLICY);
  await pairThroughOptions(options, daemon);
  const section = options.getByRole('region', { name: 'Set by your organisation' });
  await expect(section).toContainText('Longest delegation (minutes)30');
  await expect(section).toContainText(SEND);
  await expect(options.getByLabel('Disable “Always allow” on chat approval cards')).toBeChecked();
  await expect(options.getByLabel('Disable “Always allow” on chat approval cards')).toBeDisabled();
  // and the daemon now enforces the stricter merge
  const policy = (await (await daemon.admin('GET', '/policy')).json()) as { effective: Policy };
  expect(policy.effective).toMatchObject({ maxDelegationMinutes: 30, blockedScopes: [SEND] });
});

test('a 30-minute cap is shown and enforced; a blocked scope cannot be approved', async ({ options, popup, daemon }) => {
  await pairThroughOptions(options, daemon);
  const agent = await daemon.registerAgent('Mail helper');
  const authReqId = await daemon.request(agent, { requested_expiry: '7200' });
  const page = await popup();
  const card = page.getByRole('listitem').filter({ hasText: 'Mail helper' });
  const duration = card.getByLabel('Duration');
  const offered = await duration.locator('option').evaluateAll((os) =>
    os
      .map((o) => (o as unknown as { value: string }).value)
      .filter((v) => v !== 'custom')
      .map(Number),
  );
  expect(Math.max(...offered)).toBe(1800);
  await expect(card.getByText('At most 30 minutes: set by your organisation')).toBeVisible();
  await expect(card.getByLabel(SEND)).toBeDisabled();
  await expect(card.getByLabel(SEND)).not.toBeChecked();
  await expect(card.getByText('Blocked: set by your organisation')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/popup-policy.png' });

  // sent directly, around the popup: the daemon refuses both
  const longer = await daemon.admin('POST', `/requests/${authReqId}/approve`, { expires_in: 3600 });
  expect(await longer.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('organisation') });
  const blocked = await daemon.admin('POST', `/requests/${authReqId}/approve`, { scope: [READ, SEND], expires_in: 900 });
  expect(await blocked.json()).toMatchObject({ error: 'invalid_scope' });

  await card.getByRole('button', { name: 'Approve' }).click();
  const token = tokenResponse.parse(await (await tokenOnceDecided(daemon, agent, authReqId)).json());
  expect(token.scope).toBe(READ);
});

test('an always-ask scope is never remembered; a blocked agent is refused by the daemon', async ({ options, daemon }) => {
  await pairThroughOptions(options, daemon);
  const compose = 'https://www.googleapis.com/auth/gmail.compose';
  const agent = await daemon.registerAgent('Drafts bot', [compose]);
  const id = await daemon.request(agent, { scope: compose });
  expect((await daemon.admin('POST', `/requests/${id}/approve`, {})).status).toBe(200);
  const first = tokenResponse.parse(await (await pollToken(daemon, agent, id)).json());
  const renew = await daemon.form('/token', agent, {
    grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
    subject_token: first.access_token,
    subject_token_type: TOKEN_TYPE_ACCESS_TOKEN,
  });
  expect(await renew.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('one request at a time') });

  const shady = await daemon.registerAgent('Shady bot', [READ]);
  const res = await daemon.form('/bc-authorize', shady, { scope: READ, resource: GMAIL });
  expect(await res.json()).toMatchObject({ error: 'unauthorized_client' });
});

test('disableAlwaysAllow disables the card button on the chat page, saying why', async ({ context, options, daemon }) => {
  await pairThroughOptions(options, daemon);
  const body = readFileSync(resolve(import.meta.dirname, 'fixtures/chatgpt/approval-card.html'), 'utf8');
  await context.route('https://chatgpt.com/**', (route) => route.fulfill({ body, contentType: 'text/html' }));
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/c/enterprise');
  await expect(page.getByRole('button', { name: 'Always allow' })).toBeDisabled();
  await expect(page.getByText('Your organisation asks you to approve each use')).toBeVisible();
});

test('a selector override from policy makes the adapter match redesigned markup, without a release', async ({ context, options, daemon }) => {
  await pairThroughOptions(options, daemon);
  const body = readFileSync(resolve(import.meta.dirname, 'fixtures/chatgpt/changed-markup.html'), 'utf8');
  await context.route('https://chatgpt.com/**', (route) => route.fulfill({ body, contentType: 'text/html' }));
  const page = await context.newPage();
  const warnings: string[] = [];
  page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
  await page.goto('https://chatgpt.com/c/redesigned');
  await expect(page.getByText('Mandate has no record of what Linear was granted')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Always allow' })).toBeDisabled();
  expect(warnings.filter((w) => w.includes('adapter did not match'))).toEqual([]);
});
