/**
 * Enterprise force-install, for real: the built extension is packed into a .crx with a throwaway key,
 * served with a gupdate manifest from a loopback server, and named in ExtensionInstallForcelist in a
 * Chromium policy file under /etc/chromium/policies/managed (removed afterwards). Chromium on Linux
 * accepts this off-store force-install (no domain join needed, unlike Windows and macOS).
 * Needs root for the policy folder; skipped with the reason otherwise.
 */
import { chromium, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM, QUIET_FLAGS, chromiumMissing } from './chromium.js';

const POLICY_DIR = '/etc/chromium/policies/managed';
const POLICY_FILE = join(POLICY_DIR, 'mandate-forcelist-e2e.json');
const DIST = resolve(import.meta.dirname, '../dist/extension');

/** Chrome extension id: first 128 bits of SHA-256 of the public key (DER), hex digits mapped to a–p. */
function extensionId(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return createHash('sha256')
    .update(der)
    .digest('hex')
    .slice(0, 32)
    .replace(/[0-9a-f]/g, (c) => 'abcdefghijklmnop'[parseInt(c, 16)]!);
}

let work: string;
let server: Server;
const served: string[] = [];

test.beforeAll(() => {
  test.skip(chromiumMissing() !== undefined, chromiumMissing());
  test.skip(!existsSync(join(DIST, 'manifest.json')), 'extension not built: run npm run build');
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

test('a packed .crx from a loopback update server is force-installed by ExtensionInstallForcelist', async () => {
  // pack a copy without the manifest key: the throwaway .pem Chromium writes decides the id
  const ext = join(work, 'ext');
  cpSync(DIST, ext, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ext, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.key;
  writeFileSync(join(ext, 'manifest.json'), JSON.stringify(manifest));
  execFileSync(CHROMIUM, ['--headless', '--no-sandbox', `--pack-extension=${ext}`], { stdio: 'ignore', timeout: 60_000 });
  const id = extensionId(readFileSync(`${ext}.pem`, 'utf8'));
  const crx = readFileSync(`${ext}.crx`);

  server = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url?.startsWith('/updates.xml')) {
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<?xml version='1.0' encoding='UTF-8'?><gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>` +
            `<app appid='${id}'><updatecheck codebase='http://127.0.0.1:${port}/mandate.crx' version='${String(manifest.version)}' /></app></gupdate>`,
        );
    } else res.writeHead(200, { 'content-type': 'application/x-chrome-extension' }).end(crx);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  writeFileSync(
    POLICY_FILE,
    JSON.stringify({
      ExtensionInstallForcelist: [`${id};http://127.0.0.1:${port}/updates.xml`],
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
    expect(served).toContain('/mandate.crx');
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
