/**
 * capYoungGeneration (src/young-generation.ts) holds the young generation at its cap under load, and lets it grow
 * back to the cap, no further, after V8 shrank it in a quiet spell. Each case is a fresh node process with no V8
 * flags, as `npm start` runs the daemon; the uncapped case shows the load is enough to grow past the cap.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { semiSpaceSetByLauncher } from '../src/young-generation.js';

interface Sizes {
  atStart: number;
  underLoad: number;
  afterQuiet: number;
  afterQuietCapacity: number;
  underLoadAgain: number;
}

async function run(env: Record<string, string>): Promise<Sizes> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', 'daemon/test/young-generation-load.ts'], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as Sizes;
}

describe('the young generation, capped from inside the process', () => {
  it('grows past 4 MB under this load when nothing caps it', { timeout: 60_000 }, async () => {
    const sizes = await run({});
    expect(sizes.underLoad).toBeGreaterThan(8);
  });

  it('stays at two 2 MB semi-spaces under load, and grows back to them after V8 shrinks it', { timeout: 60_000 }, async () => {
    const sizes = await run({ CAP_MB: '2', QUIET: '1' });
    // no growth under load: it stays at the cap, or where start-up left it if that was more (the daemon's is 8 MB)
    expect(sizes.underLoad).toBeLessThanOrEqual(Math.max(4, sizes.atStart));
    expect(sizes.afterQuietCapacity).toBeLessThan(4); // the quiet spell did shrink it, so the next line tests the regrowth
    expect(sizes.underLoadAgain).toBe(4);
  });

  it('does not grow past the cap when V8 uncommitted a semi-space in the quiet spell and the process turns busy', { timeout: 60_000 }, async () => {
    // the cap is V8's smallest young generation (two 1 MB semi-spaces), so the quiet spell cannot shrink it, only
    // uncommit its idle semi-space: the committed size reads 1 MB where the capacity is 2 MB
    const sizes = await run({ CAP_MB: '1', QUIET: '1', SPIN: '1' });
    expect([sizes.afterQuiet, sizes.afterQuietCapacity]).toEqual([1, 2]);
    expect(sizes.underLoadAgain).toBe(2); // growth turned on from the committed size doubled it, here or twice over
  });
});

describe('a semi-space size the launcher chose', () => {
  it('is seen on the command line and in NODE_OPTIONS, in either spelling, and nothing else is taken for it', () => {
    expect(semiSpaceSetByLauncher(['--max-semi-space-size=16'], '')).toBe(true);
    expect(semiSpaceSetByLauncher(['--max_semi_space_size', '16'], '')).toBe(true);
    expect(semiSpaceSetByLauncher([], '--enable-source-maps --max-semi-space-size=8')).toBe(true);
    expect(semiSpaceSetByLauncher([], '')).toBe(false);
    expect(semiSpaceSetByLauncher(['--max-old-space-size=200', '--min-semi-space-size=2'], '--stack-trace-limit=20')).toBe(false);
  });
});
