/** CI smoke of the scale benchmark (bench/scale.ts) at tiny sizes: it runs end to end and prints every row. Not its goals. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROWS = [
  'GET grants?all=true&limit=200',
  'audit: no filter',
  'audit: agent',
  'audit: type + outcome matching nothing',
  'audit: all seven, matching nothing',
  'combinations (worst)',
  'audit verify, full walk',
  'audit verify, from verified checkpoint',
  'baseline: bare `node -e ""`',
  'ceiling: Hono + SQLite open, bundled',
  'cold start, empty',
  'cold start, 2000 audit rows',
  'CLI: `mandate status` (spawn → exit)',
  'CLI: `mandate --help` (spawn → exit)',
];

it('bench:scale runs at tiny sizes and prints every row', { timeout: 240_000 }, async () => {
  // a shell that sets NODE_EXTRA_CA_CERTS (an empty file of them here) also gets the starts timed with it, apart
  const dir = mkdtempSync(join(tmpdir(), 'scale-smoke-'));
  const certs = join(dir, 'extra-ca.pem');
  writeFileSync(certs, '');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/scale.ts'], {
    env: { ...process.env, BENCH_GRANTS: '200', BENCH_AUDIT_ROWS: '2000', BENCH_REPEAT: '2', BENCH_SPAWNS: '1', NODE_EXTRA_CA_CERTS: certs },
    maxBuffer: 1 << 20,
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
  expect(stdout).toContain('Mandate scale benchmark: 200 grants, 2000 audit rows');
  for (const row of ROWS) expect(stdout).toContain(row);
  expect(stdout).toMatch(
    /cold start, empty .* ms .* × bare node, [\d.]+ × the ceiling; cold start ≤ 150 ms (met|NOT met(: cannot be here,|, and) the ceiling takes [\d.]+ ms(: room left)?)\)$/m,
  );
  expect(stdout).toMatch(/ with NODE_EXTRA_CA_CERTS: bare node .* ms .*\(this shell's .*extra-ca\.pem\)$/m);
  expect(stdout).toMatch(
    / with NODE_EXTRA_CA_CERTS: cold start, empty .* ms .*\([\d.]+ × bare node in it; NODE_EXTRA_CA_CERTS costs every node start -?[\d.]+ ms here\)$/m,
  );
  expect(stdout).toMatch(/CLI: `mandate status` .* ms .* \([\d.]+ × bare node\)/);
  expect(stdout).toMatch(/RSS after the scale run +[\d.]+ MB .*≤ 100 MB +\(anonymous [\d.]+ MB, file-backed [\d.]+ MB/);
});
