import type { Database } from 'better-sqlite3';
import type { AuditEventView, AuditQuery, AuditVerifyResult } from '../../../shared/src/admin-api.js';
import { canonicalJson } from '../../../shared/src/canonical-json.js';
import type { Clock } from '../clock.js';
import { sha256Hex } from '../crypto.js';

/** The chain starts from a fixed genesis so deleting the first rows is detected too. */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditType =
  | 'request.created'
  | 'request.refused'
  | 'request.expired'
  | 'grant.approved'
  | 'grant.denied'
  | 'grant.revoked'
  | 'grant.ended'
  | 'grant.expired'
  | 'token.issued'
  | 'token.refused'
  | 'token.introspected_inactive'
  | 'token.revoked'
  | 'client.registered'
  | 'client.removed'
  | 'client.auth_failed'
  | 'external.requested'
  | 'external.blocked'
  | 'external.granted'
  | 'external.denied'
  | 'external.revoked'
  | 'external.expired'
  | 'chat.prompt_seen'
  | 'chat.decision'
  | 'chat.adapter_miss'
  | 'admin.paired'
  | 'admin.pairing_code_created'
  | 'admin.credential_revoked'
  | 'admin.pairing_failed';

export interface AuditInput {
  type: AuditType;
  outcome: 'ok' | 'refused';
  person?: string | null;
  agent?: string | null;
  resource?: string | null;
  scopes?: readonly string[];
  grant_id?: string | null;
  decision?: string | null;
  detail?: Record<string, string | number | boolean | null | string[]> | null;
}

/** A stored audit row, as the database holds it (scopes space-delimited, detail as JSON text). */
export interface AuditRow {
  id: number;
  ts: number;
  type: string;
  person: string | null;
  agent: string | null;
  resource: string | null;
  scopes: string;
  grant_id: string | null;
  decision: string | null;
  outcome: 'ok' | 'refused';
  detail: string | null;
  prev_hash: string;
  hash: string;
}

/** What the hash covers: every column but `hash` itself, including `id` (so reordering breaks the chain). */
function rowHash(prevHash: string, row: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return sha256Hex(prevHash + canonicalJson(row));
}

function toView(row: AuditRow): AuditEventView {
  return {
    id: row.id,
    ts: row.ts,
    type: row.type,
    person: row.person,
    agent: row.agent,
    resource: row.resource,
    scopes: row.scopes === '' ? [] : row.scopes.split(' '),
    grant_id: row.grant_id,
    decision: row.decision,
    outcome: row.outcome,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as AuditEventView['detail']),
    hash: row.hash,
  };
}

export const AUDIT_COLUMNS = 'id, ts, type, person, agent, resource, scopes, grant_id, decision, outcome, detail, prev_hash, hash';


/**
 * Append-only, hash-chained audit trail. `append` must run inside the caller's transaction so the event
 * and the state change it records commit together (or not at all).
 */
export function auditLog(db: Database, clock: Clock, onAppend: (id: number) => void = () => {}) {
  const last = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1');
  const insert = db.prepare(
    `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (@id, @ts, @type, @person, @agent, @resource, @scopes, @grant_id, @decision, @outcome, @detail, @prev_hash, @hash)`,
  );
  const iterate = db.prepare<[], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY id`);

  function append(e: AuditInput): number {
    if (!db.inTransaction) throw new TypeError('audit append must run inside a transaction');
    const prev = last.get();
    const body = {
      id: (prev?.id ?? 0) + 1,
      ts: clock(),
      type: e.type,
      person: e.person ?? null,
      agent: e.agent ?? null,
      resource: e.resource ?? null,
      scopes: (e.scopes ?? []).join(' '),
      grant_id: e.grant_id ?? null,
      decision: e.decision ?? null,
      outcome: e.outcome,
      detail: e.detail ? canonicalJson(e.detail) : null,
    };
    const prevHash = prev?.hash ?? GENESIS_HASH;
    insert.run({ ...body, prev_hash: prevHash, hash: rowHash(prevHash, body) });
    onAppend(body.id);
    return body.id;
  }

  function query(q: AuditQuery): AuditEventView[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: q.limit };
    if (q.agent !== undefined) (where.push('agent = @agent'), (params.agent = q.agent));
    if (q.resource !== undefined) (where.push('resource = @resource'), (params.resource = q.resource));
    if (q.outcome !== undefined) (where.push('outcome = @outcome'), (params.outcome = q.outcome));
    if (q.type !== undefined) (where.push('type = @type'), (params.type = q.type));
    if (q.since !== undefined) (where.push('ts >= @since'), (params.since = q.since));
    if (q.until !== undefined) (where.push('ts <= @until'), (params.until = q.until));
    if (q.before_id !== undefined) (where.push('id < @before_id'), (params.before_id = q.before_id));
    const sql = `SELECT ${AUDIT_COLUMNS} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    return db.prepare<Record<string, string | number>, AuditRow>(sql).all(params).map(toView);
  }

  /** Walks the chain from genesis; reports the first row whose link or content does not match. */
  function verify(): AuditVerifyResult {
    let prevHash = GENESIS_HASH;
    let expectedId = 1;
    let rows = 0;
    for (const row of iterate.iterate()) {
      rows++;
      const { hash, prev_hash, ...body } = row;
      if (row.id !== expectedId) {
        return broken(rows, row.id, `expected row ${expectedId} next but found ${row.id}: rows were deleted or renumbered`);
      }
      if (prev_hash !== prevHash) {
        return broken(rows, row.id, 'prev_hash does not match the previous row: rows were deleted, inserted or reordered');
      }
      if (rowHash(prevHash, body) !== hash) return broken(rows, row.id, 'row content does not match its hash: the row was edited');
      prevHash = hash;
      expectedId++;
    }
    return { ok: true, rows, first_broken: null };
  }

  return { append, query, verify };
}

function broken(rows: number, id: number, reason: string): AuditVerifyResult {
  return { ok: false, rows, first_broken: { id, reason } };
}

export type AuditLog = ReturnType<typeof auditLog>;
