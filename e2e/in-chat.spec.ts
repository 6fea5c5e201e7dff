/**
 * Flow E in real Chromium with the built extension and the real daemon: saved fixture pages are served
 * AS https://chatgpt.com/… and https://claude.ai/… (context.route), so the content script is injected
 * exactly as on the live sites, without the live sites (their markup rots; see handbook style.md).
 */
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { auditList, type AuditEventView } from '#shared/admin-api.js';
import { messages } from '#shared/protocol.js';
import { READ, SEND, expect, pairThroughOptions, test, type DaemonHandle } from './fixtures.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');

/** Every request to the site's origin answers with the saved page (favicon and all: no network). */
async function serve(context: BrowserContext, origin: 'https://chatgpt.com' | 'https://claude.ai', fixture: string): Promise<void> {
  const body = readFileSync(resolve(FIXTURES, fixture), 'utf8');
  await context.route(`${origin}/**`, (route) => route.fulfill({ body, contentType: 'text/html' }));
}

async function audit(daemon: DaemonHandle, type: string): Promise<AuditEventView[]> {
  const res = await daemon.admin('GET', `/audit?type=${encodeURIComponent(type)}`);
  expect(res.status).toBe(200);
  return auditList.parse(await res.json()).events;
}

const decisions = async (daemon: DaemonHandle) =>
  (await audit(daemon, 'chat.decision')).map((e) => ({ agent: e.agent, decision: e.decision, tool: e.detail?.tool ?? null }));

/** An external grant ChatGPT holds at Google (flow D's record): granted, one of two scopes allowed. */
async function chatgptHoldsGmailRead(daemon: DaemonHandle): Promise<void> {
  const res = await daemon.admin('POST', '/external-grants', {
    platform: 'chatgpt',
    provider_host: 'accounts.google.com',
    client_id: 'chatgpt-gmail-connector',
    redirect_uri: 'https://chatgpt.com/connector/oauth/OUbdUMlL15Ct',
    requested_scope: [READ, SEND],
    allowed_scope: [READ],
    pkce: true,
    expires_in: 3600,
    decision: 'continue',
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  expect((await daemon.admin('POST', `/external-grants/${id}/outcome`, { result: 'granted' })).status).toBe(200);
}

/**
 * Turns on "disable Always allow" as a person would, with the options page control; until that control
 * exists, through the same settings message the options page sends.
 */
async function disableAlwaysAllow(options: Page): Promise<void> {
  const toggle = options.getByLabel('Disable “Always allow” on chat approval cards');
  if ((await toggle.count()) > 0) {
    await toggle.check();
    await expect(toggle).toBeChecked();
    return;
  }
  const reply = await options.evaluate('chrome.runtime.sendMessage({ type: "settings.update", payload: { disableAlwaysAllow: true } })');
  expect(reply).toMatchObject({ ok: true, value: { disableAlwaysAllow: true } });
}

test('a ChatGPT approval card says what the app holds, and clicking Allow is recorded', async ({ context, options, daemon }) => {
  await pairThroughOptions(options, daemon);
  await chatgptHoldsGmailRead(daemon);
  await serve(context, 'https://chatgpt.com', 'chatgpt/approval-card.html');
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/c/6921a0f2-inbox');

  const card = page.getByTestId('tool-approval-card');
  const note = card.getByRole('note', { name: 'Mandate' });
  await expect(note).toHaveText(/^Mandate: Gmail holds 1 permission at accounts\.google\.com until .+$/);
  // inside the card, right above its buttons
  expect(await note.evaluate((n) => n.nextElementSibling?.getAttribute('data-testid'))).toBe('tool-action-buttons');
  await expect.poll(async () => (await audit(daemon, 'chat.prompt_seen')).map((e) => e.agent)).toEqual(['chatgpt:Gmail']);

  await card.getByRole('button', { name: 'Allow', exact: true }).click();
  await expect.poll(() => decisions(daemon)).toEqual([{ agent: 'chatgpt:Gmail', decision: 'allow', tool: null }]);
  // the card is handled once: later page changes add no second note and no second report
  await page.evaluate('document.querySelector("main").append(document.createElement("div"))');
  await expect(page.getByRole('note', { name: 'Mandate' })).toHaveCount(1);
  expect(await audit(daemon, 'chat.prompt_seen')).toHaveLength(1);
});

test('the dialog variant is annotated too, and "Always allow" is recorded as such', async ({ context, options, daemon }, testInfo) => {
  await pairThroughOptions(options, daemon);
  await serve(context, 'https://chatgpt.com', 'chatgpt/approval-dialog.html');
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/c/6921b7aa-q3-plan');

  const dialog = page.getByRole('dialog', { name: 'Allow ChatGPT to use Google Drive?' });
  await expect(dialog.getByRole('note', { name: 'Mandate' })).toHaveText('Mandate has no record of what Google Drive was granted');
  await page.screenshot({ path: testInfo.outputPath('chatgpt-dialog-dark.png') });
  await dialog.getByRole('button', { name: 'Always allow' }).click();
  await expect.poll(() => decisions(daemon)).toEqual([{ agent: 'chatgpt:Google Drive', decision: 'always', tool: null }]);
});

test('a claude.ai tool permission prompt is annotated, and Deny is recorded with the tool', async ({ context, options, daemon }) => {
  await pairThroughOptions(options, daemon);
  await serve(context, 'https://claude.ai', 'claude/tool-permission.html');
  const page = await context.newPage();
  await page.goto('https://claude.ai/chat/5b0c1f3e-backlog');

  const prompt = page.getByRole('group', { name: 'Tool permission' });
  await expect(prompt.getByRole('note', { name: 'Mandate' })).toHaveText('Mandate has no record of what Linear was granted');
  await prompt.getByRole('button', { name: 'Deny' }).click();
  await expect.poll(() => decisions(daemon)).toEqual([{ agent: 'claude:Linear', decision: 'deny', tool: 'search_issues' }]);
  const [denied] = await audit(daemon, 'chat.decision');
  expect(denied?.outcome).toBe('refused');
});

test('with “Always allow” disabled by the person, the card’s Always allow is disabled and says why', async ({ context, options, daemon }, testInfo) => {
  await pairThroughOptions(options, daemon);
  await disableAlwaysAllow(options);
  await serve(context, 'https://chatgpt.com', 'chatgpt/approval-card.html');
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/c/6921a0f2-inbox');

  const card = page.getByTestId('tool-approval-card');
  const always = card.getByRole('button', { name: 'Always allow' });
  await expect(always).toBeDisabled();
  await expect(always).toHaveAttribute('aria-disabled', 'true');
  const reason = card.locator('[data-mandate="reason"]');
  await expect(reason).toBeVisible();
  await expect(reason).not.toHaveText('');
  await card.screenshot({ path: testInfo.outputPath('chatgpt-card-always-off.png') });
  // the page flips it back, or re-renders the button: it is off again
  await page.evaluate('const b = document.querySelector("[data-mandate-disabled]"); b.disabled = false; b.removeAttribute("aria-disabled")');
  await expect(always).toBeDisabled();
  await expect(always).toHaveAttribute('aria-disabled', 'true');
  await page.evaluate(
    'const n = document.createElement("button"); n.type = "button"; n.textContent = "Always allow"; document.querySelector("[data-mandate-disabled]").replaceWith(n)',
  );
  await expect(always).toBeDisabled();
  // a forced click does nothing; a real choice still goes through and is the only one recorded
  await always.click({ force: true });
  await card.getByRole('button', { name: 'Allow', exact: true }).click();
  await expect.poll(() => decisions(daemon)).toEqual([{ agent: 'chatgpt:Gmail', decision: 'allow', tool: null }]);
});

test('when the service worker has nothing to tell (not paired), cards get a plain note and nothing is disabled', async ({ context }) => {
  await serve(context, 'https://claude.ai', 'claude/tool-permission.html');
  const page = await context.newPage();
  await page.goto('https://claude.ai/chat/5b0c1f3e-backlog');
  const prompt = page.getByRole('group', { name: 'Tool permission' });
  await expect(prompt.getByRole('note', { name: 'Mandate' })).toHaveText('Mandate has no record of what Linear was granted');
  await expect(prompt.getByRole('button', { name: 'Always allow' })).toBeEnabled();
});

test('markup the adapter does not know: no crash, the page still works, one warning and one adapter_miss', async ({ context, options, daemon }) => {
  await pairThroughOptions(options, daemon);
  await serve(context, 'https://chatgpt.com', 'chatgpt/changed-markup.html');
  const page = await context.newPage();
  const warnings: string[] = [];
  const errors: Error[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e));
  await page.goto('https://chatgpt.com/c/6921c3d0-sprint');

  await expect.poll(() => warnings.filter((w) => w.includes('adapter did not match'))).toHaveLength(1);
  await expect.poll(async () => (await audit(daemon, 'chat.adapter_miss')).length).toBe(1);
  await expect(page.locator('[data-mandate]')).toHaveCount(0);
  // the page's own controls still work
  await page.locator('#prompt-textarea').click();
  await page.keyboard.type('still typing');
  await expect(page.locator('#prompt-textarea')).toHaveText('still typing');
  await expect(page.getByRole('button', { name: 'Allow', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Always allow' })).toBeEnabled();
  // once per page, even when more of the same arrives
  await page.evaluate('document.querySelector("main").append(document.querySelector("[data-testid=app-consent-sheet]").cloneNode(true))');
  await page.getByRole('button', { name: 'Deny' }).first().click();
  expect(warnings.filter((w) => w.includes('adapter did not match'))).toHaveLength(1);
  expect(await audit(daemon, 'chat.adapter_miss')).toHaveLength(1);
  expect(errors).toEqual([]);
});

/** Evaluates in the content script's isolated world ("Mandate"), where chrome.runtime is available. */
async function inContentScript(context: BrowserContext, page: Page): Promise<(expression: string) => Promise<unknown>> {
  const cdp: CDPSession = await context.newCDPSession(page);
  const worlds: { id: number; name: string; type: string | undefined }[] = [];
  cdp.on('Runtime.executionContextCreated', ({ context: c }) => {
    const aux = c.auxData as { type?: string } | undefined;
    worlds.push({ id: c.id, name: c.name, type: aux?.type });
  });
  await cdp.send('Runtime.enable');
  let contextId: number | undefined;
  await expect.poll(() => (contextId = worlds.find((w) => w.type === 'isolated' && w.name === 'Mandate')?.id)).toBeDefined();
  return async (expression) => {
    const r = await cdp.send('Runtime.evaluate', { expression, contextId, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value;
  };
}

test('a content script cannot approve, deny, revoke, pair or read anything: every such message is forbidden', async ({ context, options, daemon }) => {
  await pairThroughOptions(options, daemon);
  const agent = await daemon.registerAgent('Mail helper');
  await daemon.request(agent);
  const pending = (await (await daemon.admin('GET', '/requests')).json()) as { grants: { id: string }[] };
  const requestId = pending.grants[0]!.id;
  const live = await daemon.registerAgent('Calendar sync');
  await daemon.request(live, { scope: READ });
  const toApprove = (await (await daemon.admin('GET', '/requests')).json()) as { grants: { id: string; agent: { client_id: string } }[] };
  const liveId = toApprove.grants.find((g) => g.agent.client_id === live.client_id)!.id;
  expect((await daemon.admin('POST', `/requests/${liveId}/approve`, {})).status).toBe(200);
  const freshCode = (await (await daemon.admin('POST', '/pairing-codes', {})).json()) as { code: string };

  await serve(context, 'https://chatgpt.com', 'chatgpt/approval-card.html');
  const page = await context.newPage();
  await page.goto('https://chatgpt.com/c/6921a0f2-inbox');
  await expect(page.getByRole('note', { name: 'Mandate' })).toBeVisible(); // the content script runs
  const run = await inContentScript(context, page);

  // Every message type there is, except the two a content script exists for: real payloads where it matters.
  const payloads: Record<string, unknown> = {
    'requests.approve': { id: requestId, scope: [READ, SEND], expires_in: 900 },
    'requests.deny': { id: requestId },
    'grants.revoke': { id: liveId },
    pair: { code: freshCode.code, daemonUrl: daemon.daemon.url },
    'settings.setDaemonUrl': { daemonUrl: 'http://127.0.0.1:1' },
    'settings.update': { disableAlwaysAllow: false },
  };
  const attempts = Object.entries(messages)
    .filter(([, m]) => !(m.senders as readonly string[]).includes('content-script'))
    .map(([type]) => [type, payloads[type] ?? {}] as const);
  expect(attempts.map(([type]) => type)).toEqual(expect.arrayContaining(['requests.approve', 'grants.revoke', 'pair']));
  for (const [type, payload] of attempts) {
    const reply = await run(`chrome.runtime.sendMessage(${JSON.stringify({ type, payload })})`);
    expect(reply, type).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  }

  // and what a content script can read of the extension's storage holds no credential (it lives in IndexedDB)
  const readable = JSON.stringify(await run('chrome.storage.local.get(null)'));
  const credential = (await (await daemon.admin('GET', '/credentials')).json()) as { credentials: { kind: string; id: string }[] };
  expect(credential.credentials.some((c) => c.kind === 'extension')).toBe(true);
  expect(readable).toContain(daemon.daemon.url); // the read worked: the daemon URL is there
  expect(readable).not.toMatch(/mpc_[A-Za-z0-9_-]{20,}/);

  const after = (await (await daemon.admin('GET', '/requests')).json()) as { grants: { id: string; status: string }[] };
  expect(after.grants.find((g) => g.id === requestId)?.status).toBe('pending');
  const grant = (await (await daemon.admin('GET', `/grants/${liveId}`)).json()) as { status: string };
  expect(grant.status).toBe('approved');
  const creds = (await (await daemon.admin('GET', '/credentials')).json()) as { credentials: { kind: string }[] };
  expect(creds.credentials.filter((c) => c.kind === 'extension')).toHaveLength(1);
  expect(await audit(daemon, 'grant.approved')).toHaveLength(1);
});
