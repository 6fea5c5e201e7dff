/**
 * Issue 8 §1–2 in real Chromium: every way an attacker found around consent interception, against a
 * provider stub that logs what it receives. The assertion that matters each time: the provider received
 * nothing before the person saw the request (or nothing at all, where nothing can be reviewed).
 */
import { test as base, expect, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from '../daemon/src/daemon.js';
import { chromiumMissing, launch } from './chromium.js';
import { EXTENSION_DIR, pairThroughOptions } from './fixtures.js';
import { STATIC_RULESET_ID, staticRules } from '../extension/src/intercept/coarse-filter.js';
import { startProviderStub, type ProviderStub } from './support/provider-stub.js';

const test = base;
test.describe.configure({ mode: 'serial' });

const CLAUDE = 'https://claude.ai/api/mcp/auth_callback';
const enc = encodeURIComponent;
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const PKCE = `code_challenge=${'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'}&code_challenge_method=S256`;
const FILES = `scope=${enc('openid files.read files.write')}`;

let stub: ProviderStub;
let daemon: RunningDaemon;
let home: string;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
let worker: Worker;
let extensionId: string;

const authorize = (query: string) => `${stub.origin}/oauth2/authorize?${query}`;
const atProvider = () => stub.received.filter((r) => r.path !== '/');

test.beforeAll(async () => {
  test.skip(chromiumMissing() !== undefined, chromiumMissing());
  stub = await startProviderStub();
  home = mkdtempSync(join(tmpdir(), 'mandate-e2e-'));
  daemon = await startDaemon({ home, port: 0, person: 'user:alice@e2e', log: () => {} });
  ({ context, close: closeBrowser } = await launch(EXTENSION_DIR));
  worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  extensionId = new URL(worker.url()).host;
  const optionsUrl = `chrome-extension://${extensionId}/src/options/index.html`;
  await expect.poll(() => context.pages().some((p) => p.url() === optionsUrl), { timeout: 10_000 }).toBe(true);
  const options = context.pages().find((p) => p.url() === optionsUrl)!;
  await options.waitForLoadState();
  await pairThroughOptions(options, { daemon } as Parameters<typeof pairThroughOptions>[1]);
});

test.afterAll(async () => {
  await closeBrowser?.();
  await daemon?.close();
  await stub?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test.beforeEach(() => {
  stub.received.length = 0;
});

async function expectReview(page: Page, url: string): Promise<void> {
  await page.goto(url).catch(() => undefined);
  await expect(page).toHaveURL(new RegExp(`^chrome-extension://${extensionId}/src/review/index\\.html\\?via=get$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('wants access to your 127.0.0.1');
  expect(atProvider()).toEqual([]);
}

const VARIANTS: [string, string][] = [
  [
    'redirect fully encoded, dot encoded',
    `response_type=code&client_id=app1&${FILES}&redirect_uri=https%3A%2F%2Fclaude%2Eai%2Fapi%2Fmcp%2Fauth_callback&${PKCE}`,
  ],
  ['encoded host letter', `response_type=code&client_id=app1&${FILES}&redirect_uri=${enc('https://%63laude.ai/api/mcp/auth_callback')}`],
  ['encoded path letters', `response_type=code&client_id=app1&${FILES}&redirect_uri=${enc('https://claude.ai/api%2Fmcp%2F%61uth_callback')}`],
  ['encoded parameter name', `response_type=code&client_id=app1&${FILES}&redirect%5Furi=${enc(CLAUDE)}`],
  ['encoded client_id name', `response_type=code&%63lient_id=app1&${FILES}&redirect_uri=${enc(CLAUDE)}`],
  ['loopback without port', `response_type=code&client_id=app1&${FILES}&redirect_uri=${enc('http://localhost/callback')}`],
  ['loopback root', `response_type=code&client_id=app1&${FILES}&redirect_uri=${enc('http://localhost:8080/')}`],
  ['loopback oauth2callback', `response_type=code&client_id=app1&${FILES}&redirect_uri=${enc('http://127.0.0.1:8765/oauth2callback')}`],
  [
    'JAR',
    `client_id=app1&request=${b64url({ alg: 'RS256' })}.${b64url({ client_id: 'app1', response_type: 'code', redirect_uri: CLAUDE, scope: 'files.write' })}.c2ln`,
  ],
];

for (const [name, query] of VARIANTS) {
  test(`reviewed before the provider hears anything: ${name}`, async () => {
    const page = await context.newPage();
    await expectReview(page, authorize(query));
    await page.close();
  });
}

for (const [name, query] of [
  ['no redirect_uri', `response_type=code&client_id=app1&${FILES}`],
  ['PAR', `client_id=app1&request_uri=${enc('urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c')}`],
  ['encrypted request object', 'client_id=app1&request=aaa.bbb.ccc.ddd.eee'],
] as const) {
  test(`hidden contents are reviewed with a plain warning: ${name}`, async () => {
    const page = await context.newPage();
    await page.goto(authorize(query)).catch(() => undefined);
    await expect(page.getByRole('note').filter({ hasText: 'Mandate cannot see everything this request asks' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Block' })).toBeVisible();
    expect(atProvider()).toEqual([]);
    await page.close();
  });
}

test('sign-in only with anything more (authorization_details, resource, claims, include_granted_scopes) is reviewed, not continued', async () => {
  const signIn = `response_type=code&client_id=app1&scope=${enc('openid email')}&redirect_uri=${enc(CLAUDE)}&state=s`;
  for (const extra of [
    `authorization_details=${enc('[{"type":"payment_initiation"}]')}`,
    `resource=${enc('https://api.example/')}`,
    `claims=${enc('{"id_token":{"acr":null}}')}`,
    'include_granted_scopes=true',
  ]) {
    const page = await context.newPage();
    await expectReview(page, authorize(`${signIn}&${extra}`));
    await page.close();
  }
});

test('a plain sign-in continues by itself and is recorded; a website’s own OAuth passes untouched', async () => {
  const page = await context.newPage();
  const signIn = `response_type=code&client_id=app1&scope=${enc('openid email')}&redirect_uri=${enc(CLAUDE)}&state=s`;
  await page.goto(authorize(signIn)).catch(() => undefined);
  await expect.poll(() => atProvider().length).toBe(1);
  expect(atProvider()[0]!.query.get('scope')).toBe('openid email');

  stub.received.length = 0;
  const own = `response_type=code&client_id=shop&scope=orders&redirect_uri=${enc('https://shop.example/callback')}`;
  await page.goto(authorize(own)).catch(() => undefined);
  await expect(page.getByRole('heading', { name: 'Provider consent screen' })).toBeVisible();
  expect(atProvider().map((r) => r.query.get('client_id'))).toEqual(['shop']);
  await page.close();
});

test('a frame (prompt=none), a cross-site fetch, an image and a form POST reach the provider with nothing', async () => {
  const oauth = authorize(`response_type=code&client_id=app1&${FILES}&redirect_uri=${enc(CLAUDE)}&prompt=none`);
  stub.pages.set(
    '/hostile',
    `<!doctype html><title>hostile</title>
     <iframe id="silent" src="${oauth.replace(/&/g, '&amp;')}"></iframe>
     <img src="${oauth.replace(/&/g, '&amp;')}">
     <form id="f" method="post" action="${stub.origin}/oauth2/authorize"><input name="client_id" value="app1"><input name="response_type" value="code"><input name="redirect_uri" value="${CLAUDE}"></form>`,
  );
  const page = await context.newPage();
  await page.goto(`${stub.siteOrigin}/hostile`);
  const fetched = await page.evaluate(
    (u) =>
      fetch(u, { mode: 'no-cors' }).then(
        () => 'sent',
        (e: Error) => e.message,
      ),
    oauth,
  );
  expect(fetched).not.toBe('sent');
  const frame = page.frameLocator('#silent');
  await expect(frame.getByRole('button')).toHaveCount(0);
  expect(atProvider()).toEqual([]);

  await page.locator('#f').evaluate((f) => (f as unknown as { submit(): void }).submit());
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mandate stopped a hidden authorization request');
  expect(atProvider()).toEqual([]);
  await page.close();
});

test('Continue is armed only after the page has been seen, and sends exactly the reviewed, narrowed request once', async () => {
  const page = await context.newPage();
  const url = authorize(`response_type=code&client_id=app1&${FILES}&redirect_uri=${enc(CLAUDE)}&state=a*b^c|d&${PKCE}`);
  await expectReview(page, url);
  await expect(page.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Continue' })).toBeEnabled();
  await page.getByLabel('files.write').uncheck();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect.poll(() => atProvider().length).toBe(1);
  const got = atProvider()[0]!.query;
  expect(got.get('scope')).toBe('openid files.read');
  expect(got.get('state')).toBe('a*b^c|d');

  // the same tab asking for more than was allowed is a new request: reviewed again, not let through
  stub.received.length = 0;
  await expectReview(page, authorize(`response_type=code&client_id=app1&${FILES}&redirect_uri=${enc(CLAUDE)}&state=again`));
  await page.close();
});

test('the review page cannot be opened or framed by a web page', async () => {
  stub.pages.set(
    '/opener',
    `<!doctype html><title>opener</title><iframe id="r" src="chrome-extension://${extensionId}/src/review/index.html?via=get"></iframe>`,
  );
  const page = await context.newPage();
  await page.goto(`${stub.siteOrigin}/opener`);
  await expect(page.frameLocator('#r').getByRole('button')).toHaveCount(0);
  const opened = await page.evaluate((u) => {
    const w = (globalThis as unknown as { open(url: string): unknown }).open(u);
    return w === null ? 'blocked' : 'opened';
  }, `chrome-extension://${extensionId}/src/review/index.html?via=get`);
  if (opened === 'opened') {
    const popup = context.pages().at(-1)!;
    await expect(popup.getByRole('button', { name: 'Continue' })).toHaveCount(0);
    await popup.close();
  }
  await page.close();
});

test('a long custom pattern cannot switch interception off, and still applies', async () => {
  const long = `https://agents.${'very-long-subdomain-name-'.repeat(3)}example.com/oauth/*/callback/*`;
  await worker.evaluate((p) => chrome.storage.local.set({ settings: { patterns: [p], disableAlwaysAllow: false } }), long);
  const page = await context.newPage();
  await expectReview(page, authorize(`response_type=code&client_id=app1&${FILES}&redirect_uri=${enc(CLAUDE)}`));
  await page.goto(authorize(`response_type=code&client_id=app1&${FILES}&redirect_uri=${enc(long.replace(/\*/g, 'x'))}`)).catch(() => undefined);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Agent at agents.');
  expect(atProvider()).toEqual([]);
  await page.close();
});

test('on a fresh install the rules are active at once', async () => {
  const { context: fresh, close } = await launch(EXTENSION_DIR);
  try {
    const page = await fresh.newPage();
    await page.goto(authorize(`response_type=code&client_id=app1&${FILES}&redirect_uri=${enc(CLAUDE)}`)).catch(() => undefined);
    await expect(page).toHaveURL(/\/src\/review\/index\.html\?via=get$/);
    expect(atProvider()).toEqual([]);
  } finally {
    await close();
  }
});

test('authorization_details are shown in plain words on the review page; unshowable ones cannot be continued', async () => {
  const payment = [
    {
      type: 'payment_initiation',
      instructedAmount: { currency: 'EUR', amount: '9999.00' },
      creditorName: 'Unknown Ltd',
      creditorAccount: { iban: 'DE02100100109307118603' },
    },
  ];
  const page = await context.newPage();
  await page.setViewportSize({ width: 800, height: 1100 });
  await expectReview(
    page,
    authorize(`response_type=code&client_id=app1&${FILES}&redirect_uri=${enc(CLAUDE)}&authorization_details=${enc(JSON.stringify(payment))}&${PKCE}`),
  );
  const shown = page.getByRole('region', { name: 'Details of the request' });
  await expect(shown).toContainText('9,999.00 EUR');
  await expect(shown).toContainText('Unknown Ltd');
  await expect(shown).toContainText('DE02 1001 0010 9307 1186 03');
  await expect(page.getByRole('button', { name: 'Continue' })).toBeEnabled();
  await page.screenshot({ path: 'test-results/screenshots/review-details.png', fullPage: true });

  await expectReview(page, authorize(`response_type=code&client_id=app1&${FILES}&redirect_uri=${enc(CLAUDE)}&authorization_details=${enc('[{"type":')}`));
  await expect(page.getByRole('alert').filter({ hasText: 'cannot show these details' })).toBeVisible();
  await page.waitForTimeout(1000); // longer than the arming delay: Continue must stay disabled for a reason of its own
  await expect(page.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await page.close();
});

test('every static rule is accepted by Chromium (isRegexSupported) and the whole ruleset is enabled', async () => {
  const rules = staticRules();
  const results = await worker.evaluate(
    (regexes) =>
      Promise.all(
        regexes.map((r) =>
          (
            chrome as unknown as { declarativeNetRequest: { isRegexSupported(o: object): Promise<{ isSupported: boolean; reason?: string }> } }
          ).declarativeNetRequest.isRegexSupported({ regex: r.regex, isCaseSensitive: r.caseSensitive }),
        ),
      ),
    rules.map((r) => ({ regex: r.condition.regexFilter!, caseSensitive: r.condition.isUrlFilterCaseSensitive !== false })),
  );
  expect(results).toEqual(rules.map(() => ({ isSupported: true })));
  const enabled = await worker.evaluate(() =>
    (chrome as unknown as { declarativeNetRequest: { getEnabledRulesets(): Promise<string[]> } }).declarativeNetRequest.getEnabledRulesets(),
  );
  expect(enabled).toEqual([STATIC_RULESET_ID]);
});
