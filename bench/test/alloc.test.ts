/** Smoke test of bench/alloc.ts at tiny sizes: the sampler loads into all three servers and every row prints. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('bench/alloc.ts prints the garbage per request of both sides of every row, and where Mandate makes it', { timeout: 120_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=mandate-source', '--import', 'tsx', 'bench/alloc.ts'], {
    env: { ...process.env, BENCH_ALLOC_REQUESTS: '300', BENCH_ALLOC_WARMUP: '50', BENCH_ALLOC_CONNECTIONS: '2' },
    timeout: 110_000,
  });
  expect(stdout).toMatch(/^Garbage per request \(V8's sampling heap profiler, freed objects counted\): 300 requests after 50 of warm-up, 2 connections/m);
  for (const path of ['token issuance', 'introspection by a resource server', 'RFC 8414 metadata']) expect(stdout).toContain(`\n${path}`);
  const sizes = [...stdout.matchAll(/^ {2}(?:Mandate|reference) +(\d+\.\d) KB/gm)].map((m) => Number(m[1]));
  expect(sizes).toHaveLength(6);
  // every server allocates something per request: a zero would mean the sampler saw nothing
  for (const kb of sizes) expect(kb).toBeGreaterThan(0.5);
  expect(stdout.match(/^ {2}ratio +\d+\.\d\d× the reference's bytes per request$/gm)).toHaveLength(3);
  expect(stdout.match(/^Where Mandate's .+ allocates \(self bytes per request, top 6 frames\):$/gm)).toHaveLength(3);
  expect(stdout).toMatch(/^ +\d+ B {2}\S.* \S+:\d+$/m);
});
