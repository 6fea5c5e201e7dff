/**
 * limitOldGenerationGrowth (src/old-generation.ts), set from inside a running process as the daemon sets it, makes V8
 * collect the old generation again long before its own factor would. Each case is a fresh node process with no V8
 * flags on its command line, as `npm start` runs the daemon; the unlimited case shows the same load grows the old
 * generation far further without it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { growthSetByLauncher, limitOldGenerationGrowth } from '../src/old-generation.js';

interface Growth {
  afterFull: number;
  largest: number;
  fullCollections: number;
}

async function run(env: Record<string, string>): Promise<Growth> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', 'daemon/test/old-generation-load.ts'], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as Growth;
}

describe("the old generation's growth, limited from inside the process", () => {
  it('is collected again under a load that V8 alone lets grow to several times what survived', { timeout: 60_000 }, async () => {
    const [own, limited] = [await run({}), await run({ PERCENT: '50' })];
    expect(own.largest).toBeGreaterThan(3 * own.afterFull); // the load is enough: V8's own factor let it grow this far
    expect(own.fullCollections).toBeLessThanOrEqual(1);
    expect(limited.fullCollections).toBeGreaterThanOrEqual(2);
    expect(limited.largest).toBeLessThan(0.7 * own.largest);
  });

  it('refuses a growth that is not a positive whole percent', () => {
    expect(() => limitOldGenerationGrowth(0)).toThrow(RangeError);
    expect(() => limitOldGenerationGrowth(12.5)).toThrow(RangeError);
  });
});

describe('a growth the launcher chose', () => {
  it('is seen on the command line in either spelling, and nothing else is taken for it', () => {
    expect(growthSetByLauncher(['--heap-growing-percent=20'])).toBe(true);
    expect(growthSetByLauncher(['--heap_growing_percent', '20'])).toBe(true);
    expect(growthSetByLauncher(['--max-old-space-size=200', '--no-memory-reducer'])).toBe(false);
  });
});
