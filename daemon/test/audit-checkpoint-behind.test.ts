/**
 * The running daemon's signed checkpoint is rewritten behind the event loop (audit/trail.ts `checkpointer`): its
 * file write and fsyncs run in the thread pool, and just before the rename it checks again. Real SQLite file,
 * real key directory. What must hold: the request path never waits on it, a newer synchronous checkpoint is never
 * replaced by an older one, a trail rewritten meanwhile is never laundered into a checkpoint, no temp file stays.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readCheckpoint } from '../src/audit/checkpoint.js';
import { auditLog } from '../src/audit/log.js';
import { CHECKPOINT_EVERY, checkpointer, initEmptyHead, type AuditTrailKey } from '../src/audit/trail.js';
import { openDatabase, type Database } from '../src/store/db.js';

let dir: string;
let db: Database;
let trail: AuditTrailKey;
let append: (n: number) => number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mandate-cp-behind-'));
  mkdirSync(join(dir, 'keys'), { mode: 0o700 });
  db = openDatabase(join(dir, 'mandate.db'));
  trail = { dir: join(dir, 'keys'), key: randomBytes(32), legacyRows: 0, created: true };
  initEmptyHead(db, trail);
  const audit = auditLog(db, () => 1_800_000_000, { key: trail.key, legacyRows: 0 });
  let last = 0;
  append = (n) => {
    db.transaction(() => {
      for (let i = 0; i < n; i++)
        last = audit.append({ type: 'audit.keyed', outcome: 'ok', detail: { legacy_rows: 0, legacy_intact: true, legacy_head: 'x' } });
    })();
    return last;
  };
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const onFile = () => {
  const cp = readCheckpoint(trail.dir, trail.key);
  return cp.kind === 'ok' ? cp.head.last_id : cp.kind;
};
const leftovers = () => readdirSync(trail.dir).filter((f) => f.endsWith('.tmp'));

it('writes behind: noteAppend returns before the file changes, and the file catches up to the head', async () => {
  const cp = checkpointer(db, trail);
  expect(cp.write()).toBe(true);
  expect(onFile()).toBe(0);
  const last = append(CHECKPOINT_EVERY + 3);
  cp.noteAppend(last);
  expect(onFile()).toBe(0); // nothing was written in this turn
  await cp.settled();
  expect(onFile()).toBe(last);
  expect(leftovers()).toEqual([]);
  cp.noteAppend(append(CHECKPOINT_EVERY - 1)); // not far enough behind: nothing starts
  await cp.settled();
  expect(onFile()).toBe(last);
});

it('clears temp files a crashed run left behind in the key directory, and nothing else', () => {
  const stale = ['.audit.head.4242.tmp', '.audit.head.4242.behind.tmp', '.audit.verified.17.tmp'];
  for (const f of [...stale, 'keep.tmp', '.audit.head.notapid.tmp']) writeFileSync(join(trail.dir, f), 'x');
  checkpointer(db, trail);
  expect(readdirSync(trail.dir).sort()).toEqual(['.audit.head.notapid.tmp', 'keep.tmp']);
});

it('stands down when a newer checkpoint was written synchronously meanwhile (shutdown, verify)', async () => {
  const cp = checkpointer(db, trail);
  cp.write();
  cp.noteAppend(append(CHECKPOINT_EVERY));
  const newer = append(10);
  expect(cp.write()).toBe(true);
  expect(onFile()).toBe(newer);
  await cp.settled();
  expect(onFile()).toBe(newer);
  expect(leftovers()).toEqual([]);
});

it.each([
  ['the anchored row (the last checkpoint names it)', 'anchored'],
  ['the row the new checkpoint would name', 'newest'],
] as const)('never launders a trail rewritten while the write was in flight: %s', async (_what, which) => {
  const cp = checkpointer(db, trail);
  const anchored = append(5);
  cp.write();
  const newest = append(CHECKPOINT_EVERY);
  cp.noteAppend(newest);
  db.prepare('UPDATE audit SET hash = ? WHERE id = ?').run('0'.repeat(64), which === 'anchored' ? anchored : newest);
  await cp.settled();
  expect(onFile()).toBe(anchored);
  expect(leftovers()).toEqual([]);
});
