/**
 * The Firefox zip that `npm run package` writes (scripts/package/cli.ts, run here on the current build) is
 * what addons.mozilla.org gets: it passes `web-ext lint --warnings-as-errors` as a zip, installs as a
 * temporary add-on, and the installed add-on is the real Mandate: its options page pairs with a daemon
 * and its popup shows that daemon's pending request.
 */
import { expect, test } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDaemon, type RunningDaemon } from '../../daemon/src/daemon.js';
import { agentCreated } from '#shared/admin-api.js';
import { adminPath } from '#shared/admin-contract.js';
import { byRole, click, type Firefox, fill, firefoxMissing, GECKO_ID, launchFirefox, sizeViewport, textOf } from './firefox.js';

test.describe.configure({ mode: 'serial' });

const ROOT = resolve(import.meta.dirname, '../..');
const CHROME_BUILD = resolve(ROOT, 'dist/extension');
const VERSION = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const GMAIL = 'https://gmail.googleapis.com/';
const READ = 'https://www.googleapis.com/auth/gmail.readonly';

let out: string;
let zip: string;
let ff: Firefox | undefined;
let daemon: RunningDaemon | undefined;
let home: string | undefined;

test.beforeAll(() => {
  test.skip(firefoxMissing() !== undefined, firefoxMissing());
  test.skip(!existsSync(join(CHROME_BUILD, 'manifest.json')), 'extension not built: run npm run build');
  out = mkdtempSync(join(tmpdir(), 'mandate-release-'));
  const printed = execFileSync(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/package/cli.ts'), '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  zip = join(out, `mandate-${VERSION}-firefox.zip`);
  expect(printed).toContain(`mandate-${VERSION}-firefox.zip`);
  expect(existsSync(zip)).toBe(true);
});

test.afterAll(async () => {
  await ff?.close();
  await daemon?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  if (out) rmSync(out, { recursive: true, force: true });
});

test('the packaged Firefox zip passes web-ext lint with warnings as errors', () => {
  test.setTimeout(150_000); // the linter takes half a minute on a loaded machine
  // web-ext hands the path to addons-linter, which reads a file as a packaged add-on, as AMO does
  const lint = spawnSync(
    process.execPath,
    [resolve(ROOT, 'node_modules/web-ext/bin/web-ext.js'), 'lint', '--source-dir', zip, '--warnings-as-errors', '--no-input'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 140_000,
    },
  );
  expect(lint.status, lint.stdout + lint.stderr).toBe(0);
  expect(lint.stdout).toMatch(/errors\s+0\s+notices\s+0\s+warnings\s+0/);
});

test('the packaged Firefox zip installs as a temporary add-on, pairs with the daemon, and its popup shows a pending request', async () => {
  home = mkdtempSync(join(tmpdir(), 'mandate-e2e-ff-'));
  daemon = await startDaemon({ home, port: 0, person: 'user:alice@firefox', log: () => {} });
  ff = await launchFirefox({ extension: zip });

  const options = await ff.open('src/options/index.html');
  await fill(await byRole(options, 'textbox', 'Daemon URL'), daemon.url);
  await fill(await byRole(options, 'textbox', 'Pairing code'), daemon.pairingCode.code);
  await click(options, 'button', 'Pair');
  await byRole(options, 'status', 'Paired.', { exact: false });

  const credential = readFileSync(join(home, 'cli-credential'), 'utf8').trim();
  const created = await fetch(daemon.url + adminPath('agents.create'), {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Mail helper', scopes: [READ], resources: [GMAIL] }),
  });
  const agent = agentCreated.parse(await created.json());
  const asked = await fetch(`${daemon.url}/bc-authorize`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${agent.client_id}:${agent.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ scope: READ, resource: GMAIL, binding_message: 'Sort the packaged inbox', requested_expiry: '600' }),
  });
  expect(asked.status).toBe(200);

  const popup = await ff.open('src/popup/index.html');
  await sizeViewport(popup, 360, 640);
  await byRole(popup, 'button', 'Approve');
  expect(await textOf(popup)).toContain('Sort the packaged inbox');
  const manifest = await popup.evaluate(() => {
    const m = (globalThis as unknown as { browser: { runtime: { getManifest(): Record<string, unknown> } } }).browser.runtime.getManifest();
    return { name: m.name, version: m.version, id: (m.browser_specific_settings as { gecko: { id: string } }).gecko.id };
  });
  expect(manifest).toEqual({ name: 'Mandate', version: VERSION, id: GECKO_ID });
  mkdirSync(resolve(ROOT, 'test-results/screenshots'), { recursive: true });
  await popup.screenshot({ path: 'test-results/screenshots/firefox-packaged-popup.png' });
});
