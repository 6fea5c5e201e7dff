/**
 * The extension's core flows in Firefox (Debian's firefox-esr over WebDriver BiDi): pairing, a CIBA request
 * narrowed and approved in the popup, Revoke, failing closed while the daemon is down and recovering, and
 * consent interception in front of a logging provider stub. One browser for the file, as a person has one.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { startDaemon, type RunningDaemon } from '../../daemon/src/daemon.js';
import { agentCreated, type AgentCreated } from '#shared/admin-api.js';
import { bcAuthorizeResponse, GRANT_TYPE_CIBA, introspectionResponse, tokenResponse } from '#shared/oauth.js';
import { startProviderStub, type ProviderStub } from '../support/provider-stub.js';
import { byRole, click, type Firefox, fill, firefoxMissing, launchFirefox, sizeViewport, textOf, urlOf, waitFor } from './firefox.js';

test.describe.configure({ mode: 'serial' });

const GMAIL = 'https://gmail.googleapis.com/';
const READ = 'https://www.googleapis.com/auth/gmail.readonly';
const SEND = 'https://www.googleapis.com/auth/gmail.send';

let ff: Firefox;
let daemon: RunningDaemon;
let home: string;
let stub: ProviderStub;
let agent: AgentCreated;

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${daemon.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${readFileSync(join(home, 'cli-credential'), 'utf8').trim()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
const form = (path: string, params: Record<string, string>) =>
  fetch(daemon.url + path, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${agent.client_id}:${agent.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params),
  });

async function waitForReview(page: Page): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      last = await urlOf(page);
      return last.includes('/src/review/index.html');
    },
    10_000,
    'the review page',
  ).catch((e: Error) => {
    throw new Error(`${e.message}; the tab is at ${last || '(unknown)'}; the provider received ${stub.received.length} request(s)`);
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}` as `${string}.png` });
}

test.beforeAll(async () => {
  test.skip(firefoxMissing() !== undefined, firefoxMissing());
  stub = await startProviderStub();
  home = mkdtempSync(join(tmpdir(), 'mandate-e2e-ff-'));
  daemon = await startDaemon({ home, port: 0, person: 'user:alice@firefox', log: () => {} });
  ff = await launchFirefox();
});

test.afterAll(async () => {
  await ff?.close();
  await daemon?.close();
  await stub?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('pairing in the options page', async () => {
  const options = await ff.open('src/options/index.html');
  await fill(await byRole(options, 'textbox', 'Daemon URL'), daemon.url);
  await fill(await byRole(options, 'textbox', 'Pairing code'), daemon.pairingCode.code);
  await click(options, 'button', 'Pair');
  await byRole(options, 'status', 'Paired.', { exact: false });
  await options.close();
});

test('a CIBA request approved in the popup with one of two scopes for 15 minutes gives a token with only that scope; Revoke ends it', async () => {
  const res = await admin('POST', '/agents', { name: 'Mail helper', scopes: [READ, SEND], resources: [GMAIL] });
  agent = agentCreated.parse(await res.json());
  const asked = await form('/bc-authorize', {
    scope: `${READ} ${SEND}`,
    resource: GMAIL,
    binding_message: 'Summarise my unread mail',
    requested_expiry: '7200',
  });
  const authReqId = bcAuthorizeResponse.parse(await asked.json()).auth_req_id;

  const popup = await ff.open('src/popup/index.html');
  await sizeViewport(popup, 360, 640);
  await byRole(popup, 'button', 'Approve');
  expect(await textOf(popup)).toContain('Summarise my unread mail');
  await screenshot(popup, 'firefox-popup-pending.png');
  await click(popup, 'checkbox', SEND);
  const duration = await byRole(popup, 'combobox', 'Duration');
  await duration.select('900');
  await click(popup, 'button', 'Approve');
  await byRole(popup, 'status', 'Approved for Mail helper', { exact: false });

  const token = tokenResponse.parse(await (await form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId })).json());
  expect(token.scope).toBe(READ);
  const grants = (await (await admin('GET', '/grants')).json()) as { grants: { id: string; expires_at: number; decided_at: number }[] };
  expect(grants.grants[0]!.expires_at - grants.grants[0]!.decided_at).toBe(900);
  // the token taken shows on the card, which is updated in place
  await waitFor(async () => (await textOf(popup)).includes('used just now'), 5000, 'the card to show the token was taken');
  await screenshot(popup, 'firefox-popup-active.png');

  await click(popup, 'button', 'Revoke');
  await waitFor(async () => (await textOf(popup)).includes('No agent holds a delegation'), 5000, 'the revoked delegation to leave the active list');
  const after = introspectionResponse.parse(await (await form('/introspect', { token: token.access_token })).json());
  expect(after).toEqual({ active: false });
  await popup.close();
});

test('fails closed while the daemon is down, and recovers by itself', async () => {
  const asked = await form('/bc-authorize', { scope: READ, resource: GMAIL, binding_message: 'Check the calendar', requested_expiry: '600' });
  expect(asked.status).toBe(200);
  const port = daemon.port;
  await daemon.close();
  const popup = await ff.open('src/popup/index.html');
  await waitFor(async () => /npm start/.test(await textOf(popup)), 15_000, 'the popup to say the daemon is not running');
  expect(await popup.evaluate(() => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Approve'))).toBe(false);
  await screenshot(popup, 'firefox-popup-offline.png');

  daemon = await startDaemon({ home, port, person: 'user:alice@firefox', log: () => {} });
  await byRole(popup, 'button', 'Approve', { timeoutMs: 45_000 });
  expect(await textOf(popup)).toContain('Check the calendar');
  await popup.close();
});

test('consent interception: the review page comes before the provider hears anything; narrowing and Block', async () => {
  const callback = 'http://127.0.0.1:9/callback';
  const q = (scope: string) =>
    `${stub.origin}/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'agent-app', redirect_uri: callback, scope, state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`;
  const page = await ff.newPage();
  await ff.navigate(page, q(`openid ${READ} ${SEND}`)).catch(() => undefined);
  await waitForReview(page);
  await byRole(page, 'heading', 'wants access to your', { exact: false });
  expect(stub.received).toEqual([]);
  await sizeViewport(page, 800, 1000);
  await screenshot(page, 'firefox-review.png');

  await click(page, 'checkbox', SEND);
  const cont = await byRole(page, 'button', 'Continue');
  await waitFor(async () => !(await cont.evaluate((b) => (b as HTMLButtonElement).disabled)), 5000, 'Continue to be armed');
  await cont.click();
  await waitFor(async () => stub.received.length === 1, 10_000, 'the narrowed request at the provider').catch(async (e: Error) => {
    throw new Error(`${e.message}; the tab is at ${await urlOf(page)} and says: ${(await textOf(page).catch(() => '')).slice(0, 400)}`);
  });
  expect(stub.received[0]!.query.get('scope')).toBe(`openid ${READ}`);

  await page.close();

  stub.received.length = 0;
  const other = await ff.newPage();
  await ff.navigate(other, q(`openid ${SEND}`)).catch(() => undefined);
  await waitForReview(other);
  await click(other, 'button', 'Block');
  await byRole(other, 'heading', 'Blocked');
  expect(stub.received).toEqual([]);
  await other.close();
});
