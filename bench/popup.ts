/**
 * Popup open time with many live delegations, as a ratio against the same popup with none, both
 * measured in this run: real Chromium with the built extension, the real daemon, real grants.
 *
 * Two browsers, each paired with its own daemon: one with no delegations (the baseline), one with
 * BENCH_GRANTS live ones. Opens alternate between them, so load from elsewhere on the machine falls on
 * both sides alike. Timing: from navigation start to the moment the "Active" section shows the expected
 * count (rendered from the service worker's first state push), median of BENCH_RUNS opens each.
 *
 * BENCH_PROFILE=<dir> writes a CPU profile of every open; BENCH_SCREENSHOTS=<dir> writes the loaded popup at
 * 360 px (top, and scrolled far down); BENCH_VERBOSE prints the popup's own performance marks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { spawnDaemon } from './daemon.js';
import { pairedBrowser } from './paired-browser.js';
import { middleValue } from './stats.js';

const GRANTS = Number(process.env.BENCH_GRANTS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PROFILE = process.env.BENCH_PROFILE;
const SCREENSHOTS = process.env.BENCH_SCREENSHOTS;
for (const dir of [PROFILE, SCREENSHOTS]) if (dir) mkdirSync(dir, { recursive: true });
const EXTENSION = resolve(import.meta.dirname, '../dist/extension');
const RESOURCE = 'https://gmail.googleapis.com/';
const SCOPES = ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.send'];

interface Session {
  /** Opens the popup, waits for the list, returns ms since navigation start. */
  open(run: number, after?: (page: Page) => Promise<void>): Promise<number>;
  close(): Promise<void>;
}

/** A browser with the built extension, paired (through the options page, as a person would) with a daemon holding `grants` live delegations. */
async function session(grants: number): Promise<Session> {
  const daemon = await spawnDaemon();
  const admin = (method: string, path: string, body?: unknown) => daemon.admin.call(method, path, body);

  const { context, close, extensionId, options } = await pairedBrowser(EXTENSION, daemon);
  await options.close();

  const agent = (await admin('POST', '/agents', { name: 'Bench agent', scopes: SCOPES, resources: [RESOURCE] })) as {
    client_id: string;
    client_secret: string;
  };
  const basic = `Basic ${Buffer.from(`${agent.client_id}:${agent.client_secret}`).toString('base64')}`;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < grants) {
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

  const open: Session['open'] = async (run, after) => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 600 });
    const cdp = PROFILE ? await context.newCDPSession(page) : undefined;
    await cdp?.send('Profiler.enable');
    await cdp?.send('Profiler.start');
    await page.goto(`chrome-extension://${extensionId}/src/popup/index.html`);
    // the service worker may still be catching up with a burst of events (first open after seeding)
    await page.locator('section[aria-label="Active"] .count', { hasText: String(grants) }).waitFor({ timeout: 60_000 });
    const t = await page.evaluate(() => performance.now());
    if (process.env.BENCH_VERBOSE) {
      const marks = await page.evaluate(() =>
        performance
          .getEntriesByType('mark')
          .map((m) => `${m.name}@${m.startTime.toFixed(0)}`)
          .join(' '),
      );
      console.log(`${grants} delegations, open ${run}: ${marks}`);
    }
    if (cdp) {
      await page.waitForTimeout(3000); // whatever the popup does after the first screenful
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(PROFILE!, `popup-${grants}-${run}.cpuprofile`), JSON.stringify(profile));
    }
    await after?.(page);
    await page.close();
    return t;
  };
  await open(-1); // settle: the worker has read every grant and the popup's code is in the cache

  return {
    open,
    async close() {
      await close();
      await daemon.stop();
    },
  };
}

async function screenshots(page: Page): Promise<void> {
  const dir = SCREENSHOTS!;
  await page.screenshot({ path: join(dir, `popup-${GRANTS}-top.png`) });
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 3000);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(dir, `popup-${GRANTS}-scrolled.png`) });
  console.log(`screenshots in ${dir}; cards built after scrolling 60,000 px: ${await page.locator('li.card.active').count()} of ${GRANTS}`);
}

const empty = await session(0);
const loaded = await session(GRANTS);
const times: { empty: number[]; loaded: number[] } = { empty: [], loaded: [] };
for (let i = 0; i < RUNS; i++) {
  times.empty.push(await empty.open(i));
  times.loaded.push(await loaded.open(i, SCREENSHOTS && i === RUNS - 1 ? screenshots : undefined));
}
await empty.close();
await loaded.close();

const baseline = middleValue(times.empty);
const many = middleValue(times.loaded);
console.log(`Popup open time (median of ${RUNS} alternating opens, navigation start → list rendered)`);
console.log(`baseline: 0 delegations        ${baseline.toFixed(0).padStart(6)} ms   1.00 × baseline`);
console.log(`${String(GRANTS).padEnd(5)} active delegations     ${many.toFixed(0).padStart(6)} ms   ${(many / baseline).toFixed(2)} × baseline (goal ≤ 1.5)`);

if (process.env.BENCH_CATALOG !== '0') {
  const { catalogCost } = await import('./catalog-cost.js');
  await catalogCost(EXTENSION, Number(process.env.BENCH_CATALOG_RUNS ?? 15));
}
