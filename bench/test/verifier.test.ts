/** Smoke test of bench/verifier.ts at tiny sizes: it runs to the end and prints every row (not its targets). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const tiny = {
  BENCH_TOKENS: '2',
  BENCH_WARMUP: '10',
  BENCH_CHUNK: '20',
  BENCH_ROUNDS: '2',
  BENCH_REPORT_CHUNK: '40',
  BENCH_LEAD: '10',
  BENCH_REPORT_ROUNDS: '2',
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
    /^ {2}verify only +\d+\/s wall/m,
    /^ {2}verify \+ record +\d+\/s wall/m,
    /^ {2}daemon ingest +\d+\/s acknowledged while reporting \d+ calls\/s/m,
    /^ {2}reporter CPU per call +\d+\.\d µs \(record \d+\.\d\d \+ send \d+\.\d\) = \d+\.\d % of a verify .*(ok|FAIL)$/m,
    /^ {2}daemon CPU per call +(\d+ µs|n\/a)/m,
    /^ {2}verify\(\) \/ jwtVerify +\d+\.\d\dx wall, \d+\.\d\dx cpu .*(ok|FAIL); middle half \d+\.\d\dx – \d+\.\d\dx wall$/m,
    /^ {2}reporting overhead +-?\d+\.\d % cpu, -?\d+\.\d % wall .*(ok|FAIL).*(ok|FAIL).*; middle half -?\d+\.\d % – -?\d+\.\d % cpu$/m,
    /^ {2}revoke -> refused +p50 \d+\.\d ms, p99 \d+\.\d ms over 3 revocations .*(ok|FAIL)$/m,
  ]) {
    expect(stdout).toMatch(row);
  }
});
