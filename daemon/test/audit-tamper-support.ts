/**
 * What an attacker with write access to the data directory (but not the key directory) can do to the audit
 * trail, as helpers for the tamper tests: edit the SQLite file of a stopped daemon, recompute the old unkeyed
 * chain, and read the trail back the way `mandate audit verify` does, without the daemon.
 *
 * A running daemon holds its file exclusively (store/db.ts), so no other connection can open it then. For a
 * daemon still running in this process, the helpers use its own connection: that stands in for an edit that goes
 * around SQLite (the file's bytes), which the lock cannot stop.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { join } from 'node:path';
import type { AuditVerifyResult } from '#shared/admin-api.js';
import { GENESIS_HASH, legacyHash } from '../src/audit/chain.js';
import { readCheckpoint } from '../src/audit/checkpoint.js';
import { readAuditKey, trailKeyDir } from '../src/audit/key.js';
import { AUDIT_COLUMNS, type AuditRow } from '../src/store/audit.repo.js';
import { verifyChain } from '../src/audit/verify.js';
import { DB_FILE } from '../src/config.js';
import { TEST_KEY_ROOT, startTestDaemon, type TestDaemon } from './harness.js';

export const keyDirOf = (d: { home: string }) => trailKeyDir(process.env.MANDATE_KEY_DIR ?? TEST_KEY_ROOT, d.home);

/** A test daemon, running in this process (its `ctx.db` open) or stopped. */
type Daemonish = { home: string; ctx?: { db: Database } };

/** Runs `use` on the daemon's own connection while it is open, else on the data file (closed after). */
function onDatabase<T>(d: Daemonish, use: (db: Database) => T, opts: { readonly?: boolean } = {}): T {
  if (d.ctx?.db.open) return use(d.ctx.db);
  const db = new BetterSqlite3(join(d.home, DB_FILE), opts);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** Runs SQL on the data file of a stopped daemon (or, for one running here, on its connection). */
export function tamper(d: Daemonish, ...sql: string[]): void {
  onDatabase(d, (db) => {
    for (const s of sql) db.exec(s);
  });
}

/** Renumbers the rows 1..n and recomputes the plain SHA-256 chain over them, as anyone holding only the database can. */
export function recomputeUnkeyedChain(d: Daemonish): void {
  onDatabase(d, (db) => {
    db.transaction(() => {
      const rows = db.prepare<[], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY id`).all();
      db.exec('DELETE FROM audit');
      const insert = db.prepare(
        `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (@id, @ts, @type, @person, @agent, @resource, @scopes, @grant_id, @decision, @outcome, @detail, @prev_hash, @hash)`,
      );
      let prev = GENESIS_HASH;
      rows.forEach((row, i) => {
        const { hash: _h, prev_hash: _p, ...body } = row;
        const renumbered = { ...body, id: i + 1 };
        const hash = legacyHash(prev, renumbered);
        insert.run({ ...renumbered, prev_hash: prev, hash });
        prev = hash;
      });
    })();
  });
}

/** `audit verify` without the daemon: the database, the key and the signed checkpoint, as they are on disk now. */
export function verifyOffline(d: Daemonish): AuditVerifyResult {
  const dir = keyDirOf(d);
  const key = readAuditKey(dir);
  if (!key) throw new Error(`no audit key in ${dir}`);
  const cp = readCheckpoint(dir, key);
  return onDatabase(d, (db) => verifyChain(db, key, cp.kind === 'ok' ? cp.head : undefined), { readonly: true });
}

export function auditRows(d: Daemonish): AuditRow[] {
  return onDatabase(d, (db) => db.prepare<[], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY id`).all(), { readonly: true });
}

/** A daemon with an agent, an approved grant, a token and a revocation in its trail, stopped so the test can tamper. */
export async function auditedDaemon(opts: Parameters<typeof startTestDaemon>[0] = {}): Promise<TestDaemon> {
  const d = await startTestDaemon(opts);
  const agent = await d.registerAgent();
  const { grantId } = await d.approvedToken(agent, { approve: { scope: ['mail.read'] } });
  await d.admin('POST', `/grants/${grantId}/revoke`, {});
  await d.close();
  return d;
}
