/**
 * `mandate daemon` caps V8's young generation once it has started (daemon/src/heap.ts), so its memory stays under
 * 100 MB under load without a node flag, which would slow every start. A probe loaded into the process allocates
 * on SIGUSR2 and reports the space's size before and after; a plain node process shows the same allocation grows it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const PROBE = join(import.meta.dirname, 'fixtures', 'young-generation-probe.mjs');
const work = mkdtempSync(join(tmpdir(), 'mandate-young-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Spawns `node --import PROBE <args>`, waits for `ready` on stdout, signals the probe and reads its sizes. */
async function probe(args: string[], ready: RegExp): Promise<{ before: number; after: number }> {
  const child = spawn(process.execPath, ['--import', PROBE, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MANDATE_KEY_DIR: join(work, 'keys') },
  });
  try {
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (ready.test(out)) resolve();
      });
      child.once('exit', (c) => reject(new Error(`exited ${c}: ${err}`)));
    });
    child.kill('SIGUSR2');
    const m = await new Promise<RegExpExecArray>((resolve) => {
      const look = () => {
        const found = /NEW_SPACE (\d+) (\d+)/.exec(err);
        if (found) resolve(found);
        else setTimeout(look, 20);
      };
      look();
    });
    return { before: Number(m[1]), after: Number(m[2]) };
  } finally {
    child.kill('SIGTERM');
  }
}

describe.skipIf(process.platform === 'win32')('the daemon caps its young generation once started', () => {
  it('a plain node process grows its young generation under the probe', { timeout: 30_000 }, async () => {
    const { before, after } = await probe(['-e', 'console.log("up"); setTimeout(() => {}, 20_000)'], /up/);
    expect(after).toBeGreaterThan(before);
  });

  it('mandate daemon does not, with no node flag given', { timeout: 30_000 }, async () => {
    const home = join(work, 'home');
    const { before, after } = await probe(['bin/mandate.js', 'daemon', '--port', '0', '--home', home, '--json'], /"url"/);
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(before);
  });
});
