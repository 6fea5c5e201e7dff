import type { Database } from 'better-sqlite3';
import type { AuditQuery } from '#shared/admin-api.js';
import type { AuditRowBody, ChainHead } from '../audit/chain.js';
import { auditQueryPlanner } from './audit-query.js';
import { onFirstUse } from './first-use.js';

/** A stored audit row, as the database holds it (scopes space-delimited, detail as JSON text): the MAC'ed body and its links. */
export interface AuditRow extends AuditRowBody {
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS = 'id, ts, type, person, agent, resource, scopes, grant_id, decision, outcome, detail, prev_hash, hash';

/** The stored head record (audit_head), MAC'ed with the audit key. */
export interface HeadRecord extends ChainHead {
  mac: string;
}

const UPSERT_HEAD = `INSERT INTO audit_head (id, last_id, last_mac, count, legacy_rows, mac) VALUES (1, @last_id, @last_mac, @count, @legacy_rows, @mac)
   ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_mac = excluded.last_mac, count = excluded.count,
     legacy_rows = excluded.legacy_rows, mac = excluded.mac`;

/**
 * How many rows have ids 1..? — the incremental verify's check that no verified row was deleted. Counted on the
 * narrow ts index (every row is in it with its id) instead of the wide table pages: ~10× less to read.
 */
export const COUNT_UP_TO_SQL = 'SELECT count(*) AS n FROM audit INDEXED BY audit_by_ts WHERE id BETWEEN 1 AND ?';

/** The audit table and its head record. Chaining and MACs are audit/'s business; this only reads and writes rows. */
export function auditRepo(db: Database) {
  const last = onFirstUse(() => db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1'));
  const insert = onFirstUse(() =>
    db.prepare<AuditRow>(
      `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (@id, @ts, @type, @person, @agent, @resource, @scopes, @grant_id, @decision, @outcome, @detail, @prev_hash, @hash)`,
    ),
  );
  const readHead = onFirstUse(() => db.prepare<[], HeadRecord>('SELECT last_id, last_mac, count, legacy_rows, mac FROM audit_head WHERE id = 1'));
  const upsertHead = onFirstUse(() => db.prepare<HeadRecord>(UPSERT_HEAD));
  const count = onFirstUse(() => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit'));
  const hashAt = onFirstUse(() => db.prepare<[number], { hash: string }>('SELECT hash FROM audit WHERE id = ?'));
  const all = onFirstUse(() => db.prepare<[], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY id`));
  const after = onFirstUse(() => db.prepare<[number, number], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit WHERE id > ? ORDER BY id LIMIT ?`));
  const countAfter = onFirstUse(() => db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM audit WHERE id > ?'));
  const from = onFirstUse(() => db.prepare<[number], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit WHERE id > ? ORDER BY id`));
  const countUpTo = onFirstUse(() => db.prepare<[number], { n: number }>(COUNT_UP_TO_SQL));
  const firstOfType = onFirstUse(() =>
    db.prepare<[string, number], { id: number; detail: string | null }>('SELECT id, detail FROM audit WHERE type = ? AND id <= ? ORDER BY id LIMIT 1'),
  );
  // made at the first audit query: it prepares a statement for each of its probes
  const planner = onFirstUse(() => auditQueryPlanner(db));

  return {
    last: () => last().get(),
    insert: (row: AuditRow) => void insert().run(row),
    readHead: () => readHead().get(),
    writeHead: (head: HeadRecord) => void upsertHead().run(head),
    count: () => count().get()?.n ?? 0,
    /** The highest id (0 for an empty trail). */
    maxId: () => last().get()?.id ?? 0,
    hashAt: (id: number) => hashAt().get(id)?.hash,
    /** Every row from the first, in id order (a cursor: rows are read as the walk goes). */
    iterate: () => all().iterate(),
    /** Every row after `id`, in id order (a cursor). */
    iterateAfter: (id: number) => from().iterate(id),
    /** How many rows have ids 1..n (n when none of them is missing). */
    countUpTo: (n: number) => countUpTo().get(n)?.n ?? 0,
    /** The first row of `type` at or below `maxId` (audit_filter_type). */
    firstOfType: (type: string, maxId: number) => firstOfType().get(type, maxId),
    /** Up to `limit` rows after `id`, in id order. */
    after: (id: number, limit: number) => after().all(id, limit),
    countAfter: (id: number) => countAfter().get(id)?.n ?? 0,
    /** Newest first, filtered as the admin API asks (see auditQueryPlan for how the rows are found). */
    query: (q: AuditQuery): AuditRow[] => planner().run(q),
  };
}
export type AuditRepo = ReturnType<typeof auditRepo>;
