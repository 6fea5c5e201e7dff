/**
 * The daemon starts its WAL over as soon as a checkpoint has copied it into the main file (store/db.ts,
 * walCheckpointer), so a WAL that loses its tail after a crash only ever loses the newest commits, never takes
 * back what the main file already holds.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mandate-wal-'));
  dirs.push(d);
  return d;
};
const rowsIn = (path: string) => {
  const db = new Database(path);
  try {
    return (db.prepare('SELECT count(*) AS n FROM filler').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

it('a WAL cut after a checkpoint and a kill -9 never takes back what the main file holds', { timeout: 60_000 }, async () => {
  const path = join(tempDir(), 'mandate.db');
  // killed by its own SIGKILL right after the checkpoint: execFile rejects, with what it printed
  const stdout = await new Promise<string>((resolve) => {
    execFile(process.execPath, ['--conditions=mandate-source', '--import', 'tsx', 'daemon/test/wal-checkpoint-child.ts', path], (_error, out) => resolve(out));
  });
  const { rows } = JSON.parse(stdout) as { rows: number };
  expect(rows).toBeGreaterThan(100); // it wrote enough for a checkpoint

  const walSize = statSync(`${path}-wal`).size;
  expect(walSize).toBeGreaterThan(1_000_000); // the pages the checkpoint copied are still in the file

  // what the main file alone holds: owed after any loss of the WAL
  const copy = join(tempDir(), 'mandate.db');
  copyFileSync(path, copy);
  const owed = rowsIn(copy);
  expect(owed).toBeGreaterThan(0);

  truncateSync(`${path}-wal`, Math.floor(walSize / 2)); // the disk lost the WAL's tail
  expect(rowsIn(path)).toBeGreaterThanOrEqual(owed);
});
