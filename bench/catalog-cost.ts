/**
 * What the generated scope catalog costs when the popup opens: the same popup, the same pending
 * request (Outlook, Teams, SharePoint, HubSpot and Linear scopes), built twice in this run, once with
 * the generated catalog and once with only the hand-written overrides. Median of `runs` opens each,
 * alternating builds so drift on the shared machine hits both alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnDaemon } from './daemon.js';
import { pairedBrowser } from './paired-browser.js';
import { middleValue } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = ['outlook', 'teams', 'sharepoint', 'hubspot', 'linear'].map(
  (n) => JSON.parse(readFileSync(join(ROOT, `e2e/fixtures/consent-requests/${n}.json`), 'utf8')) as { scope: string },
);
const SCOPES = [...new Set(FIXTURES.flatMap((f) => f.scope.split(' ')))];
const RESOURCE = 'https://graph.microsoft.com/';

interface Session {
  open(): Promise<number>;
  close(): Promise<void>;
}

async function session(extension: string): Promise<Session> {
  const daemon = await spawnDaemon();
  const admin = (path: string, body: unknown) => daemon.admin.call<Record<string, string>>('POST', path, body);
  const { context, close, extensionId: id } = await pairedBrowser(extension, daemon);
  const agent = await admin('/agents', { name: 'Catalog bench agent', scopes: SCOPES, resources: [RESOURCE] });
  const res = await fetch(`${daemon.url}/bc-authorize`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${agent.client_id}:${agent.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ scope: SCOPES.join(' '), resource: RESOURCE, binding_message: 'Bench', requested_expiry: '3600' }),
  });
  if (!res.ok) throw new Error(`bc-authorize: ${res.status}`);
  return {
    async open() {
      const page = await context.newPage();
      await page.setViewportSize({ width: 360, height: 600 });
      await page.goto(`chrome-extension://${id}/src/popup/index.html`);
      // the pending card with every scope described
      await page
        .locator('.scope')
        .nth(SCOPES.length - 1)
        .waitFor();
      const t = await page.evaluate(() => performance.now());
      await page.close();
      return t;
    },
    async close() {
      await close();
      await daemon.stop();
    },
  };
}

export async function catalogCost(generated: string, runs: number): Promise<void> {
  const baselineDir = mkdtempSync(join(tmpdir(), 'mandate-bench-ext-'));
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, MANDATE_BENCH_CATALOG: join(ROOT, 'shared/scopes-input/overrides.json'), MANDATE_BENCH_OUT_DIR: baselineDir },
  });
  if (build.status !== 0) throw new Error('baseline build failed');
  const full = await session(generated);
  const small = await session(baselineDir);
  const times = { full: [] as number[], small: [] as number[] };
  await full.open(); // warm both (first open compiles the scripts)
  await small.open();
  for (let i = 0; i < runs; i++) {
    times.full.push(await full.open());
    times.small.push(await small.open());
  }
  await full.close();
  await small.close();
  rmSync(baselineDir, { recursive: true, force: true });
  const a = middleValue(times.small);
  const b = middleValue(times.full);
  console.log(`\nScope catalog cost at popup open (median of ${runs}, navigation start → ${SCOPES.length} scopes described)`);
  console.log(`baseline: hand-written overrides only   ${a.toFixed(0).padStart(6)} ms   1.00 × baseline`);
  console.log(`generated catalog                       ${b.toFixed(0).padStart(6)} ms   ${(b / a).toFixed(2)} × baseline (budget 1.10)`);
}
