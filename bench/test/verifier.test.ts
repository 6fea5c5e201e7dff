/** Smoke test of bench/verifier.ts at tiny sizes: it runs to the end and prints every row (not its targets). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const tiny = {
  BENCH_TOKENS: '2',
  BENCH_WARMUP: '10',
  BENCH_CHUNK: '20',
  BENCH_ROUNDS: '2',
  BENCH_REVOCATIONS: '3',
};

it('bench/verifier.ts prints every row', { timeout: 180_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/verifier.ts'], {
    env: { ...process.env, ...tiny },
    timeout: 170_000,
  });
  for (const row of [
    /^resource-server kit \(Node v[\d.]+\): 2 distinct tokens/m,
    /^ {2}jose\.jwtVerify +\d+\/s wall, +\d+\/cpu-s/m,
    /^ {2}verifier\.verify\(\) +\d+\/s wall, +\d+\/cpu-s/m,
    /^ {2}verify\(\) \/ jwtVerify +\d+\.\d\dx wall, \d+\.\d\dx cpu .*(ok|FAIL); middle half \d+\.\d\dx – \d+\.\d\dx wall$/m,
    /^ {2}revoke -> refused +p50 \d+\.\d ms, p99 \d+\.\d ms over 3 revocations .*(ok|FAIL)$/m,
  ]) {
    expect(stdout).toMatch(row);
  }
});
