/**
 * bench/spawn-clock.ts, the process the scale bench times starts from: every target once per round, the order
 * reversed every other round after an untimed one; a server target is timed to its first answered metadata
 * request and then stopped; a target that fails fails the job, with what it said; a target runs without the
 * variables it unsets; what a server says on stderr is shown only when it fails.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { timeSpawns } from '../spawn-clock.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

/** A node -e program that appends `mark` to `file`. */
const marks = (file: string, mark: string) => `require('node:fs').appendFileSync(${JSON.stringify(file)}, ${JSON.stringify(mark)})`;

it('starts each target once per round, alternating the order, after one untimed round', { timeout: 60_000 }, async () => {
  dir = mkdtempSync(join(tmpdir(), 'spawn-clock-'));
  const log = join(dir, 'order');
  const times = await timeSpawns({
    rounds: 3,
    targets: [
      { name: 'a', args: ['-e', marks(log, 'a')], until: 'exit' },
      { name: 'b', args: ['-e', marks(log, 'b')], until: 'exit' },
    ],
  });
  expect(readFileSync(log, 'utf8')).toBe('ab' + 'ab' + 'ba' + 'ab');
  for (const name of ['a', 'b'] as const) {
    expect(times[name]).toHaveLength(3);
    for (const ms of times[name]) expect(ms).toBeGreaterThan(0);
  }
});

it('times a server to its first answered metadata request, then stops it', { timeout: 60_000 }, async () => {
  dir = mkdtempSync(join(tmpdir(), 'spawn-clock-'));
  const log = join(dir, 'server');
  const server = `
    const fs = require('node:fs');
    const s = require('node:http').createServer((req, res) => { fs.appendFileSync(${JSON.stringify(log)}, req.url + '\\n'); res.end('{}'); });
    s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + s.address().port })));
    process.on('SIGTERM', () => { fs.appendFileSync(${JSON.stringify(log)}, 'stopped\\n'); process.exit(0); });`;
  const times = await timeSpawns({ rounds: 2, targets: [{ name: 'server', args: ['-e', server], until: 'answer' }] });
  expect(times.server).toHaveLength(2);
  expect(readFileSync(log, 'utf8')).toBe('/.well-known/oauth-authorization-server\nstopped\n'.repeat(3));
});

it('fails the job when a target exits with an error', { timeout: 60_000 }, async () => {
  await expect(timeSpawns({ rounds: 1, targets: [{ name: 'broken', args: ['-e', 'process.exit(3)'], until: 'exit' }] })).rejects.toThrow(
    'the spawn clock exited 1',
  );
});

it('runs a target without the environment variables it names in unsetEnv, and the others with them', { timeout: 60_000 }, async () => {
  dir = mkdtempSync(join(tmpdir(), 'spawn-clock-'));
  const log = join(dir, 'env');
  const seen = (name: string) =>
    `require('node:fs').appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(name)} + '=' + String(process.env.SPAWN_CLOCK_PROBE) + ' ')`;
  const server = `${seen('server')};
    const s = require('node:http').createServer((req, res) => res.end('{}'));
    s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + s.address().port })));
    process.on('SIGTERM', () => process.exit(0));`;
  process.env.SPAWN_CLOCK_PROBE = 'set';
  try {
    await timeSpawns({
      rounds: 1,
      targets: [
        { name: 'kept', args: ['-e', seen('kept')], until: 'exit' },
        { name: 'unset', args: ['-e', seen('unset')], until: 'exit', unsetEnv: ['SPAWN_CLOCK_PROBE'] },
        { name: 'server', args: ['-e', server], until: 'answer', unsetEnv: ['SPAWN_CLOCK_PROBE'] },
      ],
    });
  } finally {
    delete process.env.SPAWN_CLOCK_PROBE;
  }
  expect(readFileSync(log, 'utf8')).toBe('kept=set unset=undefined server=undefined '.repeat(2));
});

it("keeps a server's stderr out of a good run, and puts it in the error when the server fails", { timeout: 60_000 }, async () => {
  const chatty = `
    console.error('chatty: starting');
    const s = require('node:http').createServer((req, res) => res.end('{}'));
    s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: 'http://127.0.0.1:' + s.address().port })));
    process.on('SIGTERM', () => { console.error('chatty: SIGTERM: stopping'); process.exit(0); });`;
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await timeSpawns({
      rounds: 2,
      targets: [
        { name: 'chatty', args: ['-e', chatty], until: 'answer' },
        // An exit target's stderr is the clock's, which reaches this process: proof the spy would see the server's.
        { name: 'warns', args: ['-e', `console.error('a warning worth seeing')`], until: 'exit' },
      ],
    });
  } finally {
    spy.mockRestore();
  }
  expect(written.join('')).toContain('a warning worth seeing');
  expect(written.join('')).not.toContain('chatty');

  const failing = `console.error('no port for me'); process.exit(2)`;
  await expect(timeSpawns({ rounds: 1, targets: [{ name: 'failing', args: ['-e', failing], until: 'answer' }] })).rejects.toThrow(
    /exited \(2\) before its start line: no port for me/,
  );
});
