/** Smoke test of bench/http.ts at tiny sizes: all six servers start, every row prints (not its goals). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('bench/http.ts prints every row with both sides and a ratio', { timeout: 180_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=mandate-source', '--import', 'tsx', 'bench/http.ts'], {
    env: { ...process.env, BENCH_SECONDS: '1', BENCH_CONNECTIONS: '4', BENCH_FIXED_RATE: '50' },
    timeout: 170_000,
  });
  expect(stdout).toMatch(/^HTTP hot paths: 4 connections, 1 s per target/m);
  for (const path of ['token issuance', 'introspection by a resource server', 'introspection at a fixed 50 req/s', 'RFC 8414 metadata']) {
    expect(stdout).toContain(`\n${path}`);
  }
  expect(stdout.match(/^ {2}Mandate +\d+ req\/s +p50 +\d+ ms +p99 +\d+ ms$/gm)).toHaveLength(4);
  expect(stdout.match(/^ {2}reference +\d+ req\/s +p50 +\d+ ms +p99 +\d+ ms {3}\(.+\)$/gm)).toHaveLength(4);
  for (const what of ['durable writes only', 'durable writes \\+ ES256 signature', 'form body \\+ token and grant rows read']) {
    expect(stdout).toMatch(
      new RegExp(
        `^ {2}(ceiling|\\+signature) +\\d+ req/s +p50 +\\d+ ms +p99 +\\d+ ms {3}\\(${what}: \\d+\\.\\d\\d× the reference; Mandate is \\d+\\.\\d\\d× it\\)$`,
        'm',
      ),
    );
  }
  expect(stdout.match(/^ {2}ratio +\d+\.\d\d× {3}(goal ≥ [\d.]+× |p99 )(met|NOT met)$/gm)).toHaveLength(4);
});
