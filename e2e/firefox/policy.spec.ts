/**
 * Enterprise policy in Firefox: managed storage from ~/.mozilla/managed-storage/<gecko id>.json (what an
 * organisation's policies.json `3rdparty.Extensions` delivers), the same cases as in Chromium: the duration
 * cap and a blocked scope, shown as set by the organisation and enforced by the daemon.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from '../../daemon/src/daemon.js';
import { agentCreated } from '#shared/admin-api.js';
import { bcAuthorizeResponse } from '#shared/oauth.js';
import { byRole, click, type Firefox, fill, firefoxMissing, launchFirefox, sizeViewport, textOf, waitFor } from './firefox.js';

const GMAIL = 'https://gmail.googleapis.com/';
const READ = 'https://www.googleapis.com/auth/gmail.readonly';
const SEND = 'https://www.googleapis.com/auth/gmail.send';
const POLICY = { maxDelegationMinutes: 30, blockedScopes: [SEND] };

let ff: Firefox;
let daemon: RunningDaemon;
let home: string;

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${daemon.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${readFileSync(join(home, 'cli-credential'), 'utf8').trim()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

test.beforeAll(async () => {
  test.skip(firefoxMissing() !== undefined, firefoxMissing());
  home = mkdtempSync(join(tmpdir(), 'mandate-e2e-ff-'));
  daemon = await startDaemon({ home, port: 0, person: 'user:alice@firefox', log: () => {} });
  ff = await launchFirefox({ policy: POLICY });
});

test.afterAll(async () => {
  await ff?.close();
  await daemon?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('managed policy: a 30-minute cap and a blocked scope, shown as set by the organisation and enforced by the daemon', async () => {
  const options = await ff.open('src/options/index.html');
  await fill(await byRole(options, 'textbox', 'Daemon URL'), daemon.url);
  await fill(await byRole(options, 'textbox', 'Pairing code'), daemon.pairingCode.code);
  await click(options, 'button', 'Pair');
  await byRole(options, 'status', 'Paired.', { exact: false });
  await waitFor(async () => (await textOf(options)).includes('Longest delegation (minutes)'), 15_000, 'the policy in force on the options page');

  // the extension reports the browser's policy; the daemon enforces the stricter merge
  await waitFor(
    async () => {
      const view = (await (await admin('GET', '/policy')).json()) as { effective: { maxDelegationMinutes?: number } };
      return view.effective.maxDelegationMinutes === 30;
    },
    15_000,
    'the daemon to take the browser policy',
  );

  const agent = agentCreated.parse(await (await admin('POST', '/agents', { name: 'Mail helper', scopes: [READ, SEND], resources: [GMAIL] })).json());
  const asked = await fetch(`${daemon.url}/bc-authorize`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${agent.client_id}:${agent.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ scope: `${READ} ${SEND}`, resource: GMAIL, binding_message: 'Tidy the inbox', requested_expiry: '7200' }),
  });
  const authReqId = bcAuthorizeResponse.parse(await asked.json()).auth_req_id;

  const popup = await ff.open('src/popup/index.html');
  await sizeViewport(popup, 360, 640);
  await byRole(popup, 'button', 'Approve');
  const text = await textOf(popup);
  expect(text).toContain('At most 30 minutes: set by your organisation');
  expect(text).toContain('Blocked: set by your organisation');
  const send = await byRole(popup, 'checkbox', SEND);
  expect(await send.evaluate((b) => [(b as HTMLInputElement).disabled, (b as HTMLInputElement).checked])).toEqual([true, false]);
  const offered = await (await byRole(popup, 'combobox', 'Duration')).evaluate((s) =>
    [...(s as HTMLSelectElement).options]
      .map((o) => o.value)
      .filter((v) => v !== 'custom')
      .map(Number),
  );
  expect(Math.max(...offered)).toBe(1800);
  await popup.screenshot({ path: 'test-results/screenshots/firefox-popup-policy.png' });

  // around the popup, the daemon refuses both
  const longer = await admin('POST', `/requests/${authReqId}/approve`, { expires_in: 3600 });
  expect(longer.status).toBe(400);
  const blocked = await admin('POST', `/requests/${authReqId}/approve`, { scope: [READ, SEND], expires_in: 900 });
  expect(blocked.status).toBe(400);
});
