/** Smoke test of bench/http.ts at tiny sizes: all twelve servers start, every row prints (not its goals). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('bench/http.ts prints every row with both sides and a ratio', { timeout: 180_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=mandate-source', '--import', 'tsx', 'bench/http.ts'], {
    env: { ...process.env, BENCH_SECONDS: '1', BENCH_ROUNDS: '1', BENCH_WARMUP: '0', BENCH_CONNECTIONS: '4', BENCH_FIXED_RATE: '50' },
    timeout: 170_000,
  }).catch((e: { stdout?: string; message: string }) => {
    // say how far it got: the rows printed before a failure or the timeout
    throw new Error(`${e.message}\n--- stdout so far ---\n${e.stdout ?? ''}`);
  });
  expect(stdout).toMatch(/^HTTP hot paths: 4 connections, 0 s warm-up then 1 round\(s\) of 1 s per target \(medians\)/m);
  for (const path of ['token issuance', 'introspection by a resource server', 'introspection at a fixed 50 req/s', 'RFC 8414 metadata']) {
    expect(stdout).toContain(`\n${path}`);
  }
  // the server's CPU per request is read from /proc, which Linux (where CI runs) has
  // whole milliseconds from autocannon, one decimal from the paced fixed-rate load
  const figures = ' +\\d+ req/s +p50 +\\d+(?:\\.\\d)? ms +p99 +\\d+(?:\\.\\d)? ms +cpu +\\d+ µs';
  expect(stdout.match(new RegExp(`^ {2}Mandate${figures}$`, 'gm'))).toHaveLength(4);
  expect(stdout.match(new RegExp(`^ {2}reference${figures} {3}\\(.+\\)$`, 'gm'))).toHaveLength(4);
  for (const [label, what] of [
    ['ceiling', 'durable writes only'],
    ['\\+signature', 'durable writes \\+ ES256 signature'],
    ['\\+checks', 'that \\+ client authentication, form body, the same JWT subject token found and its token and grant rows read, the Host/Origin guard'],
    ['ceiling', 'form body \\+ the same JWT found, its token and grant rows read'],
    ['\\+auth', 'that \\+ the caller authenticated, the Host/Origin guard'],
    ['in memory', 'the caller authenticated, the same JWT found, token and grant from a Map, the file held exclusively, the Host/Origin guard'],
    ['uncapped', "the same with V8's default young generation, which grows under load where the daemon's cannot, for the RSS goal: not a bound"],
    ['same doc', 'the same \\d+-byte document from a bare Hono route'],
    ['\\+guard', "that behind the daemon's Host/Origin guard and security headers, which every daemon route must have"],
  ]) {
    expect(stdout).toMatch(
      new RegExp(
        `^ {2}${label} +${figures.slice(2)} {3}\\(${what}: \\d+\\.\\d\\d× the reference, \\d+\\.\\d\\d× less CPU per request; Mandate is \\d+\\.\\d\\d× it\\)$`,
        'm',
      ),
    );
  }
  expect(stdout).toMatch(/^ {2}hello +\d+ req\/s +p50 +\d+(?:\.\d)? ms +p99 +\d+(?:\.\d)? ms.* {3}\(Hono "hello", same rate: /m);
  expect(stdout).toMatch(
    /^ {2}paced {6}how late the load generator sent requests, p99 ms: Mandate [\d.]+, reference [\d.]+, hello [\d.]+ \(counted in each p99 above\)$/m,
  );
  // every row says met or not; an unmet row with a bound says whether the bound shows it cannot be met here.
  // At the smoke test's 50 req/s for 1 s a server may use under one 10 ms tick of CPU, and then no CPU ratio prints.
  const bound = (what: string) => `(met|NOT met(: cannot be here, ${what}|, and ${what}: room left))`;
  const ratio = '^ {2}ratio +\\d+\\.\\d\\d×(?: \\(CPU \\d+\\.\\d\\d×\\))? {3}';
  const reaches = (labels: string) => `the (${labels}) ceiling reaches \\d+\\.\\d\\d×`;
  expect(stdout).toMatch(new RegExp(`${ratio}goal ≥ 2× ${bound(reaches('\\+checks'))}$`, 'm'));
  expect(stdout).toMatch(new RegExp(`${ratio}goal ≥ 3× ${bound(reaches('\\+auth|in memory'))}$`, 'm'));
  expect(stdout).toMatch(new RegExp(`${ratio}p99 ≤ 5 ms ${bound('a Hono "hello" at the same rate takes \\d+\\.\\d ms')}$`, 'm'));
  expect(stdout).toMatch(new RegExp(`${ratio}goal ≥ 0\\.6× ${bound(reaches('\\+guard'))}$`, 'm'));
});
