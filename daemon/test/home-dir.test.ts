/** --home / MANDATE_HOME: Mandate makes its data directory private, so it refuses one that holds other things and says when it changed a mode. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonStartError, startDaemon } from '../src/daemon.js';
import { PERSON, startTestDaemon } from './harness.js';

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-home-'));
  made.push(dir);
  return dir;
}

describe('--home on an existing directory', () => {
  it("refuses a directory that holds files that are not Mandate's, says what to do, and leaves its mode alone", async () => {
    const home = tempDir();
    chmodSync(home, 0o755);
    writeFileSync(join(home, 'notes.txt'), 'mine');
    mkdirSync(join(home, 'photos'));
    const start = startDaemon({ home, port: 0, person: PERSON, log: () => {} });
    await expect(start).rejects.toThrow(DaemonStartError);
    await expect(start).rejects.toThrow(/holds files that are not Mandate's \("notes.txt", "photos"\).*choose a new or empty directory for --home/);
    expect(statSync(home).mode & 0o777).toBe(0o755);
  });

  it('refuses a path that is a file', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    await expect(startDaemon({ home: file, port: 0, person: PERSON, log: () => {} })).rejects.toThrow(/is not a directory/);
  });

  it('takes over an empty directory and says when it changed its mode', async () => {
    const home = tempDir();
    chmodSync(home, 0o755);
    const logs: string[] = [];
    const d = await startTestDaemon({ home, log: (m) => void logs.push(m) });
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(logs).toContain(`made the data directory ${home} private: mode 0755 → 0700`);
    await d.close();
    // its own files are fine on the next start; nothing to say when the mode is already right
    logs.length = 0;
    await (await d.restart()).close();
    expect(logs.filter((m) => m.includes('private'))).toEqual([]);
  });

  it('creates a missing directory 0700', async () => {
    const home = join(tempDir(), 'new', 'mandate');
    await (await startTestDaemon({ home })).close();
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });
});
