/**
 * The same-stack ceilings run with the daemon's young-generation cap (bench/peers/daemon-memory.ts): a bound whose
 * young generation grew past the daemon's would claim room that no server within the RSS goal has. The same ceiling
 * launched without the preload grows it under the same load, so this test fails if the cap stops being applied.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DAEMON_SEMI_SPACE_MB } from '../../daemon/src/young-generation.js';
import { sameStackArgs, spawnServer, stop } from '../daemon.js';
import { ceilingRequest, drive } from '../hot-paths.js';

const dir = mkdtempSync(join(tmpdir(), 'mandate-bench-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The in-memory introspection ceiling's young generation (MB, both semi-spaces) after 3 s at 50 connections. */
async function youngGenerationAfterLoad(args: string[], name: string): Promise<number> {
  const out = join(dir, `${name}.json`);
  const probe = ['--import', 'tsx', '--import', resolve('bench/peers/gc-probe.ts')];
  const server = await spawnServer([...probe, ...args, 'bench/peers/read-ceiling.ts', '--memory', '--auth'], { env: { GC_PROBE_OUT: out } });
  try {
    await drive(ceilingRequest(server, '/introspect'), { connections: 50, duration: 3 });
    await new Promise((r) => setTimeout(r, 400)); // the probe writes every 200 ms
    return (JSON.parse(readFileSync(out, 'utf8')) as { newSpaceBytes: number }).newSpaceBytes / 2 ** 20;
  } finally {
    await stop(server.child);
  }
}

it('a same-stack ceiling keeps the daemon’s young generation under load; launched without the cap it grows past it', { timeout: 60_000 }, async () => {
  const cap = 2 * DAEMON_SEMI_SPACE_MB;
  expect(await youngGenerationAfterLoad(sameStackArgs(), 'capped')).toBeLessThanOrEqual(cap);
  expect(await youngGenerationAfterLoad(['--import', 'tsx'], 'default')).toBeGreaterThan(cap);
});
