/** Smoke test of bench/paired.ts at tiny sizes: the servers start, every window is measured, and bad targets are refused. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = (args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, ['--conditions=mandate-source', '--import', 'tsx', 'bench/paired.ts', ...args], {
    env: { ...process.env, BENCH_PAIR_ROUNDS: '2', BENCH_PAIR_SECONDS: '1', BENCH_PAIR_WARMUP: '0', BENCH_CONNECTIONS: '4', ...env },
    timeout: 110_000,
  });

const figures = (name: string) => new RegExp(`^ {2}${name} +cpu +\\d+\\.\\d µs.* +\\d+ req/s {2}\\[\\d+ \\d+\\]$`, 'm');

describe('bench/paired.ts', () => {
  it('measures the daemon and a ceiling in alternating windows, with the collector per request when asked', { timeout: 120_000 }, async () => {
    const { stdout } = await run(['introspection', 'mandate', 'in-memory'], { BENCH_PAIR_GC: '1' });
    expect(stdout).toMatch(/^Paired introspection: 2 round\(s\) of 1 s per server after 0 s of warm-up, the order reversed every other round; 4 connections/m);
    expect(stdout).toMatch(figures('mandate'));
    // the ceiling was given the daemon's token: a 2xx on every request is checked by the bench itself
    expect(stdout).toMatch(/^ {2}in-memory +cpu +\d+\.\d µs {2}\(\d+\.\d\d× the first's\)/m);
    expect(stdout.match(/^ +gc +\d+\.\d µs per request, \d+\.\d scavenges per 1,000 requests, young generation \d+\.\d MB$/gm)).toHaveLength(2);
  });

  it('runs node flags and the metadata path against its own reference', { timeout: 120_000 }, async () => {
    const { stdout } = await run(['metadata', 'mandate:--max-semi-space-size=16', 'reference', 'same-doc', '+guard'], { BENCH_PAIR_IDLE: '1' });
    expect(stdout).toMatch(/^Paired metadata: 2 round\(s\) of 1 s per server after 1 s idle and 0 s of warm-up/m);
    expect(stdout).toMatch(figures('mandate:--max-semi-space-size=16'));
    expect(stdout).toMatch(figures('reference'));
    expect(stdout).toMatch(figures('same-doc'));
    expect(stdout).toMatch(figures('\\+guard'));
    expect(stdout).not.toContain(' gc ');
  });

  it('refuses an idle time that is not a number of seconds', async () => {
    const failure = await run(['metadata', 'mandate', '+guard'], { BENCH_PAIR_IDLE: 'soon' }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('BENCH_PAIR_IDLE=soon: give the seconds to stay idle, 0 or more');
  });

  it.each([
    [['metadata', 'mandate', '+auth'], '+auth: not a target of the metadata path'],
    [['introspection', 'reference@/tmp', 'mandate'], 'reference@/tmp: only "mandate@<checkout>" names another build'],
    [['introspection', 'mandate:max-old-space-size=64', 'read'], 'mandate:max-old-space-size=64: node flags after ":" start with "--"'],
    [['introspection', 'mandate'], 'usage: npm run bench:pair -- <exchange | introspection | metadata> <target> <target> [...]'],
    [['metadata', 'reference', 'same-doc'], 'same-doc serves the daemon\'s metadata document: name a "mandate" target too'],
  ])('refuses %j, saying why', async (args, message) => {
    const failure = await run(args).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain(message);
  });
});
