/**
 * Popup open time with many live delegations, as a ratio against the same popup with none, both
 * measured in this run: real Chromium with the built extension, the real daemon, real grants.
 *
 * Timing: from navigation start to the moment the "Active" section shows the expected count
 * (rendered from the service worker's first state push), median of RUNS opens.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDaemon } from '../daemon/src/daemon.js';
import { launch } from '../e2e/chromium.js';

// Benchmark daemons keep their audit keys in a temporary folder, not the user's config directory.
process.env.MANDATE_KEY_DIR ??= mkdtempSync(join(tmpdir(), 'mandate-bench-keys-'));

const GRANTS = Number(process.env.BENCH_GRANTS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** A folder: writes a CPU profile of every open there (chrome://inspect or speedscope reads them). */
const PROFILE = process.env.BENCH_PROFILE;
const EXTENSION = resolve(import.meta.dirname, '../dist/extension');
const RESOURCE = 'https://gmail.googleapis.com/';
const SCOPES = ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.send'];

const home = mkdtempSync(join(tmpdir(), 'mandate-bench-popup-'));
const daemon = await startDaemon({ home, port: 0, person: 'user:bench@host', log: () => {} });
const credential = readFileSync(join(home, 'cli-credential'), 'utf8').trim();
const admin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${daemon.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};

const { context, close } = await launch(EXTENSION);
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const extensionId = new URL(worker.url()).host;

// pair through the options page, as a person would
const { code } = (await admin('POST', '/pairing-codes', {})) as { code: string };
const options = await context.newPage();
await options.goto(`chrome-extension://${extensionId}/src/options/index.html`);
await options.getByLabel('Daemon URL').fill(daemon.url);
await options.getByLabel('Pairing code').fill(code);
await options.getByRole('button', { name: 'Pair' }).click();
await options.getByText('Paired.', { exact: false }).waitFor();

async function openTime(expected: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 600 });
    const cdp = PROFILE ? await context.newCDPSession(page) : undefined;
    await cdp?.send('Profiler.enable');
    await cdp?.send('Profiler.start');
    await page.goto(`chrome-extension://${extensionId}/src/popup/index.html`);
    await page.locator('section[aria-label="Active"] .count', { hasText: String(expected) }).waitFor();
    times.push(await page.evaluate(() => performance.now()));
    if (cdp) {
      await new Promise((r) => setTimeout(r, 3000)); // the rest of the list, built after the first screenful
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(PROFILE!, `popup-${expected}-${i}.cpuprofile`), JSON.stringify(profile));
    }
    if (process.env.BENCH_VERBOSE) {
      console.log(
        await page.evaluate(() =>
          performance
            .getEntriesByType('mark')
            .map((m) => `${m.name}@${m.startTime.toFixed(0)}`)
            .join(' '),
        ),
      );
    }
    await page.close();
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const baseline = await openTime(0);

const agent = (await admin('POST', '/agents', { name: 'Bench agent', scopes: SCOPES, resources: [RESOURCE] })) as { client_id: string; client_secret: string };
const basic = `Basic ${Buffer.from(`${agent.client_id}:${agent.client_secret}`).toString('base64')}`;
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next++ < GRANTS) {
      const res = await fetch(`${daemon.url}/bc-authorize`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ scope: SCOPES.join(' '), resource: RESOURCE, binding_message: `Task ${next}`, requested_expiry: '3600' }),
      });
      const { auth_req_id } = (await res.json()) as { auth_req_id: string };
      await admin('POST', `/requests/${encodeURIComponent(auth_req_id)}/approve`, {});
    }
  }),
);
// let the service worker catch up with the burst of events before timing steady-state opens
const settle = await context.newPage();
await settle.goto(`chrome-extension://${extensionId}/src/popup/index.html`);
await settle.locator('section[aria-label="Active"] .count', { hasText: String(GRANTS) }).waitFor({ timeout: 60_000 });
await settle.close();
const loaded = await openTime(GRANTS);

if (process.env.BENCH_SCREENSHOTS) {
  // what a person sees at 360 px: the top of the list, and after scrolling far down (cards built on the way)
  const page = await context.newPage();
  await page.setViewportSize({ width: 360, height: 600 });
  await page.goto(`chrome-extension://${extensionId}/src/popup/index.html`);
  await page.locator('section[aria-label="Active"] .count', { hasText: String(GRANTS) }).waitFor();
  await page.screenshot({ path: join(process.env.BENCH_SCREENSHOTS, `popup-${GRANTS}-top.png`) });
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 3000);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(process.env.BENCH_SCREENSHOTS, `popup-${GRANTS}-scrolled.png`) });
  console.log(`cards built after scrolling: ${await page.locator('li.card.active').count()} of ${GRANTS}`);
  await page.close();
}

await close();
await daemon.close();
rmSync(home, { recursive: true, force: true });

console.log(`Popup open time (median of ${RUNS}, navigation start → list rendered)`);
console.log(`baseline: 0 delegations        ${baseline.toFixed(0).padStart(6)} ms   1.00 × baseline`);
console.log(`${String(GRANTS).padEnd(5)} active delegations     ${loaded.toFixed(0).padStart(6)} ms   ${(loaded / baseline).toFixed(2)} × baseline`);

if (process.env.BENCH_CATALOG !== '0') {
  const { catalogCost } = await import('./catalog-cost.js');
  await catalogCost(EXTENSION, Number(process.env.BENCH_CATALOG_RUNS ?? 15));
}
