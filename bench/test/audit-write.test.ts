/** CI smoke of bench/audit-write.ts at tiny sizes: it runs end to end and prints every row. Not its figures. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('bench/audit-write.ts prints batched and durable rows for both schemas with a ratio', { timeout: 60_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=mandate-source', '--import', 'tsx', 'bench/audit-write.ts'], {
    env: { ...process.env, BENCH_PREFILL: '500', BENCH_WRITE_ROWS: '50', BENCH_DURABLE_ROWS: '5', BENCH_WRITE_ROUNDS: '2' },
    timeout: 55_000,
  });
  expect(stdout).toContain('audit row inserts, migration 009 vs 010 indexes: 500 rows pre-filled, 2 alternating rounds');
  for (const mode of ['batched \\(50 rows per transaction\\)', 'durable \\(one transaction per row, FULL\\)'])
    for (const k of ['wall', 'cpu'])
      expect(stdout).toMatch(new RegExp(`^${mode}, ${k} +009 +[\\d.]+ µs/row +010 +[\\d.]+ µs/row +ratio [\\d.]+× \\(middle half [\\d.]+–[\\d.]+×\\)$`, 'm'));
});
