/**
 * Firefox for the e2e suite: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi (Playwright's
 * own Firefox cannot be downloaded here). The built Firefox extension is installed as a temporary add-on with
 * a pinned UUID, so its pages have a known address; HOME is a temporary folder per launch, which also holds
 * the per-test managed storage (enterprise policy) Firefox reads from ~/.mozilla/managed-storage.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_EXTENSION_DIR = resolve(import.meta.dirname, '../../dist/extension-firefox');
export const GECKO_ID = 'mandate@mandate.dev';
export const UUID = '6b7d7e1c-5a3f-4f0e-9d2c-4d616e646174';
export const EXTENSION_BASE = `moz-extension://${UUID}/`;

export function firefoxMissing(): string | undefined {
  if (!existsSync(FIREFOX)) return `Firefox not found at ${FIREFOX}: apt-get install firefox-esr, or set FIREFOX_PATH`;
  if (!existsSync(join(FIREFOX_EXTENSION_DIR, 'manifest.json'))) return 'Firefox extension not built: run npm run build';
  return undefined;
}

/** The address of a page (page.url() is stale on extension pages in Firefox). */
export async function urlOf(page: Page): Promise<string> {
  return page.evaluate(() => location.href).catch(() => '');
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs in the page. Kept as source text: the test runner's transpiler would otherwise wrap its inner
 * functions in helpers that do not exist inside the page.
 */
const FIND_BY_ROLE = `function (role, name, exact) {
  var selectors = {
    button: 'button, [role="button"]',
    checkbox: 'input[type="checkbox"]',
    combobox: 'select',
    textbox: 'input:not([type]), input[type="text"], input[type="url"], input[type="number"], textarea',
    heading: 'h1, h2, h3',
    alert: '[role="alert"]',
    status: '[role="status"]',
    link: 'a[href]'
  };
  function clean(t) { return (t || '').replace(/\\s+/g, ' ').trim(); }
  function nameOf(el) {
    var aria = el.getAttribute('aria-label');
    if (aria) return clean(aria);
    if (el.labels && el.labels.length > 0) return clean(el.labels[0].textContent);
    return clean(el.textContent);
  }
  function visible(el) { return el.getClientRects().length > 0; }
  var all = Array.prototype.slice.call(document.querySelectorAll(selectors[role]));
  for (var i = 0; i < all.length; i++) {
    var n = nameOf(all[i]);
    if (visible(all[i]) && (exact ? n === name : n.indexOf(name) >= 0)) return all[i];
  }
  return null;
}`;

type Role = 'button' | 'checkbox' | 'combobox' | 'textbox' | 'heading' | 'alert' | 'status' | 'link';

/**
 * An element by role and accessible name, the same handles people with assistive tech and the Chromium
 * tests use (puppeteer's ARIA queries do not work over BiDi in Firefox ESR, so the name is computed here:
 * aria-label, then the associated label, then the text). `exact: false` matches a name that contains it.
 */
export async function byRole(page: Page, role: Role, name: string, opts: { exact?: boolean; timeoutMs?: number } = {}): Promise<ElementHandle<Element>> {
  const until = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const handle = await page.evaluateHandle(`(${FIND_BY_ROLE})(${JSON.stringify(role)}, ${JSON.stringify(name)}, ${opts.exact ?? true})`);
    const el = handle.asElement() as ElementHandle<Element> | null;
    if (el) return el;
    await handle.dispose();
    if (Date.now() > until) {
      const says = (await textOf(page).catch(() => '')).replace(/\s+/g, ' ').slice(0, 300);
      throw new Error(`no ${role} named "${name}" on ${await urlOf(page)}, which says: ${says}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Clicks the control with this role and name, finding it again if the page re-rendered it meanwhile. */
export async function click(page: Page, role: Role, name: string, opts: { exact?: boolean; timeoutMs?: number } = {}): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await (await byRole(page, role, name, opts)).click();
      return;
    } catch (e) {
      // re-rendered between finding and clicking: detached, or not laid out yet
      if (attempt >= 5 || !/detached|not connected|not clickable/i.test((e as Error).message)) throw e;
    }
  }
}

/** Replaces a field's value as a person typing would (select all, type). */
export async function fill(field: ElementHandle<Element>, text: string): Promise<void> {
  await field.evaluate((el) => {
    (el as HTMLInputElement).select();
  });
  await field.type(text);
}

/**
 * Sizes the page's viewport (the 360-pixel popup, or a wider page) with WebDriver BiDi's
 * `browsingContext.setViewport`, through the browsing context puppeteer's BiDi frame exposes (as `navigate` does).
 * puppeteer-core's own `setViewport` sends `emulation.setScreenOrientationOverride` with it, a command Firefox ESR
 * 140.12 does not have ("unknown command"). The size is then read back from the page.
 */
export async function sizeViewport(page: Page, width: number, height: number): Promise<void> {
  type Context = { setViewport(o: { viewport: { width: number; height: number }; devicePixelRatio: number | null }): Promise<void> };
  await (page.mainFrame() as unknown as { browsingContext: Context }).browsingContext.setViewport({ viewport: { width, height }, devicePixelRatio: null });
  const [w, h] = await page.evaluate(() => [window.innerWidth, window.innerHeight]);
  if (w !== width || h !== height) throw new Error(`the viewport is ${w}×${h}, not ${width}×${height}`);
}

/** The page's visible text. */
export async function textOf(page: Page): Promise<string> {
  return page.evaluate(() => document.body.innerText);
}

export interface Firefox {
  browser: Browser;
  home: string;
  /** A new tab, or a new window where Firefox cannot open a tab (see launchFirefox). */
  newPage(): Promise<Page>;
  /** Opens one of the extension's pages in a new tab (page.goto() hangs on moz-extension:// addresses). */
  open(path: string): Promise<Page>;
  /** Navigates a tab and waits for the load to complete. */
  navigate(page: Page, url: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Launches Firefox with the extension installed; `policy` becomes the extension's managed storage, and
 * `extension` installs another build (a folder or a packaged zip) instead of dist/extension-firefox.
 */
export async function launchFirefox(opts: { policy?: Record<string, unknown>; extension?: string } = {}): Promise<Firefox> {
  const home = mkdtempSync(join(tmpdir(), 'mandate-firefox-'));
  if (opts.policy) {
    const dir = join(home, '.mozilla', 'managed-storage');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${GECKO_ID}.json`), JSON.stringify({ name: GECKO_ID, description: 'Mandate test policy', type: 'storage', data: opts.policy }));
  }
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    headless: true,
    executablePath: FIREFOX,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }),
      // the closed network: no update checks, telemetry or remote settings
      'app.update.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'browser.shell.checkDefaultBrowser': false,
      // a test that closes its last tab keeps the window: with no window left, Firefox ESR 140.12's BiDi
      // browsingContext.create fails ("TabManager.getTabBrowser(...) is undefined") instead of opening one
      'browser.tabs.closeWindowWithLastTab': false,
    },
    env: { ...process.env, HOME: home },
    dumpio: process.env.FIREFOX_DUMPIO === '1',
  });
  await browser.installExtension(opts.extension ?? FIREFOX_EXTENSION_DIR);
  // On install the extension opens its options page; let that tab settle before driving the browser.
  await waitFor(async () => (await Promise.all((await browser.pages()).map(urlOf))).some((u) => u.startsWith(EXTENSION_BASE)), 10_000);
  const navigate = async (page: Page, url: string) => {
    // puppeteer's BiDi frame exposes its browsing context; page.goto() hangs on moz-extension:// addresses
    await (page.mainFrame() as unknown as { browsingContext: { navigate(url: string, wait: 'complete'): Promise<unknown> } }).browsingContext.navigate(
      url,
      'complete',
    );
  };
  // Firefox ESR 140.12's BiDi cannot open a tab once the most recent window has none left ("TabManager.getTabBrowser(...)
  // is undefined"); a new window it can open
  const newPage = () =>
    browser.newPage().catch((e: Error) => {
      if (!e.message.includes('getTabBrowser')) throw e;
      return browser.newPage({ type: 'window' });
    });
  return {
    browser,
    home,
    navigate,
    newPage,
    async open(path) {
      const page = await newPage();
      await navigate(page, EXTENSION_BASE + path);
      return page;
    },
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
