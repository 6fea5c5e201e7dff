/**
 * Enterprise force-install, for real, of what `npm run package` writes: the extension is built with a
 * self-hosted update URL (MANDATE_UPDATE_URL, here a loopback server), packed by the release packager
 * (scripts/package/cli.ts, the second half of `npm run package`) into a signed CRX3 and its update.xml,
 * both served from that server, and named in ExtensionInstallForcelist in a Chromium policy file under
 * /etc/chromium/policies/managed (removed afterwards). Chromium on Linux accepts this off-store
 * force-install (no domain join needed, unlike Windows and macOS).
 * Needs root for the policy folder; skipped with the reason otherwise.
 */
import { chromium, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { extensionId } from '../scripts/package/crx3.js';
import { CHROMIUM, QUIET_FLAGS, chromiumMissing } from './chromium.js';

const POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = join(POLICY_DIR, 'mandate-forcelist-e2e.json');
const ROOT = resolve(import.meta.dirname, '..');
const DIST_FIREFOX = resolve(ROOT, 'dist/extension-firefox');

let work: string;
let server: Server;
const served: string[] = [];

test.beforeAll(() => {
  test.skip(chromiumMissing() !== undefined, chromiumMissing());
  test.skip(!existsSync(join(DIST_FIREFOX, 'manifest.json')), 'extension not built: run npm run build');
  try {
    mkdirSync(POLICY_DIR, { recursive: true });
    accessSync(POLICY_DIR, constants.W_OK);
  } catch (e) {
    test.skip(true, `cannot write ${POLICY_DIR} (${(e as Error).message}): run as root, as CI does`);
  }
  work = mkdtempSync(join(tmpdir(), 'mandate-crx-'));
});

test.afterAll(async () => {
  rmSync(POLICY_FILE, { force: true });
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the CRX npm run package writes, with its update URL built in, is force-installed by ExtensionInstallForcelist', async () => {
  test.setTimeout(180_000); // includes a build of the extension
  const release = join(work, 'release');
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    // update.xml is served at the update URL built into the manifest; everything else from the release folder by name
    const file = path === '/updates.xml' ? join(release, 'update.xml') : join(release, basename(path));
    if (!existsSync(file)) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': path.endsWith('.crx') ? 'application/x-chrome-extension' : 'text/xml' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const updateUrl = `http://127.0.0.1:${port}/updates.xml`;

  // npm run package = build:extension, then the packager; here the Chrome build goes to a folder of its own
  const built = join(work, 'extension');
  const env = { ...process.env, MANDATE_UPDATE_URL: updateUrl };
  execFileSync(process.execPath, [resolve(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', built, '--logLevel', 'warn'], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
    timeout: 120_000,
  });
  expect((JSON.parse(readFileSync(join(built, 'manifest.json'), 'utf8')) as { update_url?: string }).update_url).toBe(updateUrl);
  const keyFile = join(work, 'release-key.pem');
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  writeFileSync(keyFile, key.export({ type: 'pkcs8', format: 'pem' }));
  const printed = execFileSync(
    process.execPath,
    ['--import', 'tsx', resolve(ROOT, 'scripts/package/cli.ts'), '--key', keyFile, '--out', release, '--chrome', built, '--firefox', DIST_FIREFOX],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 },
  );
  const id = extensionId(key);
  expect(printed).toMatch(new RegExp(`CRX extension id +${id}\\n`));
  const version = (JSON.parse(readFileSync(join(built, 'manifest.json'), 'utf8')) as { version: string }).version;
  expect(readFileSync(join(release, 'update.xml'), 'utf8')).toContain(`codebase='http://127.0.0.1:${port}/mandate-${version}.crx' version='${version}'`);

  writeFileSync(
    POLICY_FILE,
    JSON.stringify({
      ExtensionInstallForcelist: [`${id};${updateUrl}`],
      // lets the test drive the force-installed extension's pages (by default DevTools may not attach to them)
      DeveloperToolsAvailability: 1,
      '3rdparty': { extensions: { [id]: { maxDelegationMinutes: 30 } } },
    }),
  );

  const profile = join(work, 'profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // Playwright's defaults switch extensions and the extension updater off; a force-install needs both
    ignoreDefaultArgs: ['--disable-extensions', '--disable-component-extensions-with-background-pages', '--disable-background-networking'],
    args: QUIET_FLAGS.filter((f) => f !== '--disable-background-networking'),
  });
  try {
    const page = await context.newPage();
    const location = async () => {
      await page.goto('chrome://extensions-internals');
      const list = JSON.parse(await page.evaluate(() => (globalThis as never as { document: { body: { innerText: string } } }).document.body.innerText)) as {
        id: string;
        location: string;
      }[];
      return list.find((e) => e.id === id)?.location ?? 'not installed';
    };
    await expect.poll(location, { timeout: 30_000 }).toBe('EXTERNAL_POLICY_DOWNLOAD');
    expect(served.some((u) => u.startsWith('/updates.xml') && u.includes('installedby%3Dpolicy'))).toBe(true);
    expect(served).toContain(`/mandate-${version}.crx`);
    // the installed extension is the packaged one, update URL included, and its pages run
    await page.goto(`chrome-extension://${id}/src/popup/index.html`);
    const installed = await page.evaluate(() => {
      const { runtime } = (globalThis as never as { chrome: { runtime: { getManifest(): { name: string; version: string; update_url?: string } } } }).chrome;
      return runtime.getManifest();
    });
    expect(installed).toMatchObject({ name: 'Mandate', version, update_url: updateUrl });
    // and Chromium applies the organisation's managed values to it (chrome://policy, extension section)
    await page.goto('chrome://policy');
    const rows = page.locator('.row');
    const row = (name: string) => rows.filter({ hasText: new RegExp(`^\\s*${name}\\s`) }).first();
    await expect(row('maxDelegationMinutes')).toContainText(/30\s+Platform\s+Machine\s+Mandatory\s+OK/, { timeout: 15_000 });
    await expect(row('blockedScopes')).toContainText('Not set.'); // the schema's other keys: listed, not set
  } finally {
    await context.close();
  }
});
