import type { Database } from 'better-sqlite3';
import type { AuditEventView, AuditQuery, AuditVerifyResult } from '../../../shared/src/admin-api.js';
import { canonicalJson } from '../../../shared/src/canonical-json.js';
import type { Clock } from '../clock.js';
import { GENESIS_HASH, headMac, rowMac, type ChainHead } from './chain.js';
import type { CheckpointRead } from './checkpoint.js';
import type { RefusalGate } from './refusals.js';
import { verifyChain } from './verify.js';

export { GENESIS_HASH } from './chain.js';

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
  | 'admin.pairing_failed'
  | 'audit.keyed'
  | 'audit.tamper_detected'
  | 'audit.refusals_aggregated'
  | 'audit.export_rewound'
  | 'tool.called'
  | 'tool.refused';

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

export interface AuditLogOptions {
  /** The 256-bit key of the chain (audit/key.ts), kept outside the database. */
  key: Buffer;
  /** Rows chained with plain SHA-256 before the chain was keyed (from the head record; 0 for a trail keyed from its start). */
  legacyRows: number;
  /** Called inside the transaction with each new row's id. */
  onAppend?: (id: number) => void;
  /** Refusal rows beyond a client's rate are counted here instead of written (audit/refusals.ts). */
  refusals?: RefusalGate;
  /** The signed checkpoint outside the database: read by verify, rewritten after a verify that passed. */
  checkpoint?: { read(): CheckpointRead; write(): boolean };
}

/** The stored head record (audit_head), MAC'ed with the audit key. */
export interface HeadRecord extends ChainHead {
  mac: string;
}

const UPSERT_HEAD = `INSERT INTO audit_head (id, last_id, last_mac, count, legacy_rows, mac) VALUES (1, @last_id, @last_mac, @count, @legacy_rows, @mac)
   ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_mac = excluded.last_mac, count = excluded.count,
     legacy_rows = excluded.legacy_rows, mac = excluded.mac`;

export function readHeadRecord(db: Database): HeadRecord | undefined {
  return db.prepare<[], HeadRecord>('SELECT last_id, last_mac, count, legacy_rows, mac FROM audit_head WHERE id = 1').get();
}

export function writeHeadRecord(db: Database, key: Buffer, head: ChainHead): void {
  db.prepare(UPSERT_HEAD).run({ ...head, mac: headMac(key, head) });
}

/**
 * Append-only audit trail, chained with HMAC-SHA-256 under a key kept outside the database, with a MAC'ed head
 * record updated in the same transaction. `append` must run inside the caller's transaction so the event, the
 * head and the state change it records commit together (or not at all).
 */
export function auditLog(db: Database, clock: Clock, opts: AuditLogOptions) {
  const { key, legacyRows, onAppend = () => {}, refusals } = opts;
  const last = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1');
  const insert = db.prepare(
    `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (@id, @ts, @type, @person, @agent, @resource, @scopes, @grant_id, @decision, @outcome, @detail, @prev_hash, @hash)`,
  );
  const head = db.prepare(UPSERT_HEAD);

  /** Writes the row (unless it is a refusal over its client's rate: then it is only counted). Returns its id, or 0 when counted. */
  function append(e: AuditInput): number {
    if (e.outcome === 'refused' && refusals && !refusals.admit(e)) return 0;
    return write(e);
  }

  function write(e: AuditInput): number {
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
    const mac = rowMac(key, prevHash, body);
    insert.run({ ...body, prev_hash: prevHash, hash: mac });
    const h: ChainHead = { last_id: body.id, last_mac: mac, count: body.id, legacy_rows: legacyRows };
    head.run({ ...h, mac: headMac(key, h) });
    onAppend(body.id);
    return body.id;
  }

  function query(q: AuditQuery): AuditEventView[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: q.limit };
    if (q.agent !== undefined) {
      where.push('agent = @agent');
      params.agent = q.agent;
    }
    if (q.resource !== undefined) {
      where.push('resource = @resource');
      params.resource = q.resource;
    }
    if (q.outcome !== undefined) {
      where.push('outcome = @outcome');
      params.outcome = q.outcome;
    }
    if (q.type !== undefined) {
      where.push('type = @type');
      params.type = q.type;
    }
    if (q.since !== undefined) {
      where.push('ts >= @since');
      params.since = q.since;
    }
    if (q.until !== undefined) {
      where.push('ts <= @until');
      params.until = q.until;
    }
    if (q.before_id !== undefined) {
      where.push('id < @before_id');
      params.before_id = q.before_id;
    }
    const sql = `SELECT ${AUDIT_COLUMNS} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    return db.prepare<Record<string, string | number>, AuditRow>(sql).all(params).map(toView);
  }

  /**
   * Records a refusal that changes nothing else: counted without opening a transaction when the client is over
   * its rate, else appended in its own durable transaction (`transact`, the daemon's transactor).
   */
  function refuse(e: AuditInput & { outcome: 'refused' }, transact: (fn: () => void) => void): void {
    if (refusals && !refusals.admit(e)) return;
    transact(() => void write(e));
  }

  /** Walks the chain from genesis and compares its end with the head record and the checkpoint (audit/verify.ts). */
  function verify(): AuditVerifyResult {
    const cp = opts.checkpoint?.read() ?? { kind: 'none' };
    if (cp.kind === 'invalid')
      return { ok: false, rows: 0, first_broken: { id: 0, reason: `the signed checkpoint outside the database is not valid: ${cp.reason}` } };
    const result = verifyChain(db, key, cp.kind === 'ok' ? cp.head : undefined);
    if (result.ok) opts.checkpoint?.write();
    return result;
  }

  return { append, refuse, query, verify };
}

export type AuditLog = ReturnType<typeof auditLog>;
