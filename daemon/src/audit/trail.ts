import type { Database } from 'better-sqlite3';
import { GENESIS_HASH, legacyHash, sameMac, headMac, type ChainHead } from './chain.js';
import { CHECKPOINT_FILE, VERIFIED_FILE, readCheckpoint, readVerified, writeCheckpoint, writeCheckpointBehind, writeVerified } from './checkpoint.js';
import { createAuditKey, readAuditKey, removeStaleTemps, trailKeyDir } from './key.js';
import { auditRepo } from '../store/audit.repo.js';
import { readHeadRecord, writeHeadRecord } from './log.js';

/**
 * The signed checkpoint outside the database is rewritten once it is this many rows behind (and at start, verify
 * and shutdown). While running, the rewrite happens behind the event loop (its fsyncs in the thread pool), so it
 * can trail by this many rows plus those appended during one file write.
 */
export const CHECKPOINT_EVERY = 64;

export interface AuditTrailKey {
  /** This data directory's key directory (key file and checkpoint). */
  dir: string;
  key: Buffer;
  /** Rows chained before the key existed. */
  legacyRows: number;
  /** The key was made at this start (first keyed start, or a key that went missing). */
  created: boolean;
}

/** Loads this data directory's audit key, making one when there is none. */
export function openAuditKey(db: Database, keyRoot: string, home: string): AuditTrailKey {
  const dir = trailKeyDir(keyRoot, home);
  const existing = readAuditKey(dir);
  const key = existing ?? createAuditKey(dir);
  const head = readHeadRecord(db);
  let legacyRows = 0;
  if (head && sameMac(head.mac, headMac(key, head))) legacyRows = head.legacy_rows;
  else if (existing === undefined && head === undefined)
    legacyRows = rowCount(db); // first keyed start: what is there is legacy
  else {
    const cp = readCheckpoint(dir, key);
    if (cp.kind === 'ok') legacyRows = cp.head.legacy_rows;
  }
  return { dir, key, legacyRows, created: existing === undefined };
}

function rowCount(db: Database): number {
  return auditRepo(db).count();
}

function lastRow(db: Database): { id: number; hash: string } | undefined {
  return auditRepo(db).last();
}

function rowMacAt(db: Database, id: number): string | undefined {
  return auditRepo(db).hashAt(id);
}

/** Whether the unkeyed rows form an intact SHA-256 chain from genesis; returns its last hash. */
export function legacyChain(db: Database): { intact: boolean; head: string } {
  let prev = GENESIS_HASH;
  let expected = 1;
  let intact = true;
  for (const row of auditRepo(db).iterate()) {
    const { hash, prev_hash, ...body } = row;
    if (row.id !== expected++ || prev_hash !== prev || legacyHash(prev, body) !== hash) intact = false;
    prev = hash;
  }
  return { intact, head: prev };
}

/**
 * The start-up check: compares the database's last row with its head record and with the signed checkpoint
 * outside the database. Cheap (no full walk). Returns what is wrong, or undefined. The first keyed start
 * instead seals the legacy rows (the caller appends `audit.keyed`).
 */
export function checkHeadAtStart(db: Database, trail: AuditTrailKey): string | undefined {
  const head = readHeadRecord(db);
  const last = lastRow(db);
  const lastId = last?.id ?? 0;
  if (trail.created) {
    return head ? `the audit key was missing from ${trail.dir}; a new one was made, so the rows before this one cannot be verified` : undefined;
  }
  const cp = readCheckpoint(trail.dir, trail.key);
  if (cp.kind === 'invalid') return `the signed checkpoint in ${trail.dir} is not valid: ${cp.reason}`;
  if (!head) {
    if (lastId === 0 && (cp.kind === 'none' || cp.head.count === 0)) return undefined;
    return `the head record is missing from the database (it ends at row ${lastId})`;
  }
  if (!sameMac(head.mac, headMac(trail.key, head))) return 'the head record in the database does not carry a valid MAC';
  if (head.last_id !== lastId || !sameMac(head.last_mac, last?.hash ?? GENESIS_HASH)) {
    return head.last_id > lastId
      ? `truncated: the head record says the trail ends at row ${head.last_id}, the database ends at row ${lastId}`
      : `the database's last row (${lastId}) is not the one the head record names (row ${head.last_id})`;
  }
  if (cp.kind === 'ok') {
    if (cp.head.last_id > lastId) {
      return `truncated: the signed checkpoint says the trail reached row ${cp.head.last_id}, the database ends at row ${lastId} (its head record was rolled back)`;
    }
    const at = cp.head.last_id === 0 ? GENESIS_HASH : rowMacAt(db, cp.head.last_id);
    if (at === undefined || !sameMac(at, cp.head.last_mac))
      return `row ${cp.head.last_id} is not the row the signed checkpoint recorded: the trail was rewritten`;
  }
  return undefined;
}

/** Writes the head record of an empty trail (fresh database, key just made). */
export function initEmptyHead(db: Database, trail: AuditTrailKey): void {
  if (readHeadRecord(db) === undefined && lastRow(db) === undefined) {
    writeHeadRecord(db, trail.key, { last_id: 0, last_mac: GENESIS_HASH, count: 0, legacy_rows: 0 });
  }
}

/**
 * Keeps the signed checkpoint outside the database in step with the head record. `write(force)` copies the
 * database head out when its MAC is valid and the row at the previous checkpoint is still the one recorded
 * (so a trail rewritten under a running daemon is never laundered into a new checkpoint); `force` skips the
 * second check, after the daemon has recorded the tampering it found.
 */
export function checkpointer(db: Database, trail: AuditTrailKey, onError: (e: Error) => void = () => {}) {
  const rows = auditRepo(db); // prepared once: the write behind reads the head and a row MAC each time
  let written: ChainHead | undefined;
  let behind: Promise<void> | undefined;
  removeStaleTemps(trail.dir, [CHECKPOINT_FILE, VERIFIED_FILE]);
  const cp = readCheckpoint(trail.dir, trail.key);
  if (cp.kind === 'ok') written = cp.head;

  /** The database head to copy out, or undefined when it must not be (its MAC fails, or the row at the last checkpoint changed). */
  function headToWrite(force: boolean): ChainHead | undefined {
    const head = rows.readHead();
    if (!head || !sameMac(head.mac, headMac(trail.key, head))) return undefined;
    if (!force && written && written.last_id > 0) {
      const at = rows.hashAt(written.last_id);
      if (at === undefined || !sameMac(at, written.last_mac)) return undefined;
    }
    const { mac: _mac, ...h } = head;
    return h;
  }
  const isWritten = (h: ChainHead) =>
    written !== undefined &&
    written.last_id === h.last_id &&
    written.count === h.count &&
    written.legacy_rows === h.legacy_rows &&
    sameMac(written.last_mac, h.last_mac);

  function write(force = false): boolean {
    const h = headToWrite(force);
    if (h === undefined) return false;
    // Unchanged since the last write (a start after a clean stop): the file already says this; spare the fsyncs.
    if (isWritten(h)) return true;
    writeCheckpoint(trail.dir, trail.key, h);
    written = h;
    return true;
  }

  /**
   * Copies the head out behind the event loop; replaces the file only if nothing newer was written meanwhile and
   * the trail still checks. Goes round again while rows keep coming, and stops at the first write that stood down.
   */
  async function writeBehind(): Promise<void> {
    for (;;) {
      const h = headToWrite(false);
      if (h === undefined || h.last_id - (written?.last_id ?? 0) < CHECKPOINT_EVERY) return;
      const replaced = await writeCheckpointBehind(trail.dir, trail.key, h, () => {
        // just before the rename: nothing newer written meanwhile, the head and the anchored row still check,
        // and the row this checkpoint names still carries the MAC it records
        if ((written?.last_id ?? 0) >= h.last_id || headToWrite(false) === undefined) return false;
        const at = rows.hashAt(h.last_id);
        if (at === undefined || !sameMac(at, h.last_mac)) return false;
        written = h;
        return true;
      });
      if (!replaced) return; // stood down: the next append (or shutdown) tries again, this loop does not
    }
  }

  return {
    write,
    /** After a commit that appended row `id`: starts a write behind when the checkpoint is CHECKPOINT_EVERY rows behind. */
    noteAppend(id: number): void {
      if (behind !== undefined || id - (written?.last_id ?? 0) < CHECKPOINT_EVERY) return;
      behind = writeBehind()
        .catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))))
        .finally(() => {
          behind = undefined;
        });
    },
    /** Waits for a write behind in progress (shutdown waits before its final synchronous write). */
    settled: (): Promise<void> => behind ?? Promise.resolve(),
    /** The checkpoint file as it is now (for verify). */
    read: () => readCheckpoint(trail.dir, trail.key),
    /** The head the last passing verify walked to. */
    readVerified: () => readVerified(trail.dir, trail.key),
    /** After a verify that passed (nothing was appended since: the walk and this run on the one thread). */
    writeVerified(): void {
      const head = rows.readHead();
      if (!head || !sameMac(head.mac, headMac(trail.key, head))) return;
      const { mac: _mac, ...h } = head;
      writeVerified(trail.dir, trail.key, h);
    },
  };
}
export type Checkpointer = ReturnType<typeof checkpointer>;
