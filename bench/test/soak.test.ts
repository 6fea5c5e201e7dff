import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { rssSummary } from '../soak-stats.js';

const run = promisify(execFile);

describe('bench/soak.ts (smoke: tiny duration, every row printed; thresholds are not checked here)', () => {
  it('prints RSS start/peak/end/slope and every operation count', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/soak.ts'], {
      env: { ...process.env, BENCH_SOAK_SECONDS: '8', BENCH_SOAK_SAMPLE_MS: '1000', BENCH_SOAK_LIVE: '5' },
      timeout: 60_000,
    });
    for (const row of ['RSS start', 'RSS peak', 'RSS end', 'RSS slope, second half', 'RSS end, anonymous \\(heaps\\)', 'RSS end, file-backed \\(binary\\)'])
      expect(stdout).toMatch(new RegExp(`${row}\\s+[0-9.-]+ MB`));
    for (const part of ['anonymous \\(heaps\\)', 'file-backed \\(binary\\)'])
      expect(stdout).toMatch(new RegExp(`RSS end, ${part}\\s+[0-9.]+ MB {3}\\(second-half slope -?[0-9.]+ MB/min\\)`));
    for (const row of [
      'CIBA request + approve + token',
      'token exchange',
      'introspection',
      'revocation',
      'audit read',
      'event-stream connections',
      'revocation-feed connections',
      'SSE events received',
    ])
      expect(stdout).toMatch(new RegExp(`^${row.replace(/[+]/g, '\\+')}\\s+[1-9][0-9]*$`, 'm'));
    expect(stdout).toMatch(/^daemon CPU per request\s+[0-9.]+ ms/m);
    expect(stdout).toMatch(/^daemon process warnings\s+[0-9]+$/m);
    // the smoke's audit rows pass the checkpoint's write behind (every 64 rows), which the bundle once failed at every time
    expect(stdout).toMatch(/^daemon failures logged\s+0$/m);
    expect(stdout).toMatch(/^errors\s+0$/m);
  }, 90_000);

  it('summarises samples: slope is MB per minute over the second half', () => {
    const s = rssSummary([
      { t: 0, mb: 50 },
      { t: 60, mb: 90 },
      { t: 120, mb: 60 },
      { t: 180, mb: 62 },
    ]);
    expect(s).toMatchObject({ start: 50, peak: 90, end: 62 });
    expect(s.slope).toBeCloseTo(2, 5);
  });
});
