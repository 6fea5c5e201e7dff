import type { Database } from 'better-sqlite3';
import type { AuditEventView, AuditQuery, AuditVerifyResult } from '#shared/admin-api.js';
import type { AuditDetail, AuditType } from '#shared/audit-events.js';
import type { Clock } from '../clock.js';
import { auditRepo, type AuditRow, type HeadRecord } from '../store/audit.repo.js';
import { GENESIS_HASH, headMac, rowMac, type ChainHead } from './chain.js';
import type { CheckpointRead } from './checkpoint.js';
import type { RefusalGate } from './refusals.js';
import { detailJson } from './detail-json.js';
import { verifyChain } from './verify.js';

export { GENESIS_HASH } from './chain.js';

/**
 * One audit row to append. `detail` is typed by `type` from the catalog in shared/src/audit-events.ts, so an
 * append with a detail of the wrong shape does not compile.
 */
export interface AuditInput<T extends AuditType = AuditType> {
  type: T;
  outcome: 'ok' | 'refused';
  person?: string | null;
  agent?: string | null;
  resource?: string | null;
  scopes?: readonly string[];
  grant_id?: string | null;
  decision?: string | null;
  detail: AuditDetail<T>;
}

/** The types written through a refusal that fills in `error` and `reason` from the OAuthError (grantService.refuse). */
export type RefusalType = 'request.refused' | 'grant.approved' | 'token.refused';

/** A refusal row before `error` and `reason` are filled in. */
export type RefusalDraft<T extends RefusalType> = Omit<AuditInput<T>, 'detail'> & {
  detail?: Omit<Extract<AuditDetail<T>, { error: string }>, 'error' | 'reason'>;
};

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
  checkpoint?: { read(): CheckpointRead; write(): boolean; readVerified(): CheckpointRead; writeVerified(): void };
}

export function readHeadRecord(db: Database): HeadRecord | undefined {
  return auditRepo(db).readHead();
}

export function writeHeadRecord(db: Database, key: Buffer, head: ChainHead): void {
  auditRepo(db).writeHead({ ...head, mac: headMac(key, head) });
}

/**
 * Append-only audit trail, chained with HMAC-SHA-256 under a key kept outside the database, with a MAC'ed head
 * record updated in the same transaction. `append` must run inside the caller's transaction so the event, the
 * head and the state change it records commit together (or not at all).
 */
export function auditLog(db: Database, clock: Clock, opts: AuditLogOptions) {
  const { key, legacyRows, onAppend = () => {}, refusals } = opts;
  const rows = auditRepo(db);

  /** Writes the row (unless it is a refusal over its client's rate: then it is only counted). Returns its id, or 0 when counted. */
  function append<T extends AuditType>(e: AuditInput<T>): number {
    if (e.outcome === 'refused' && refusals && !refusals.admit(e)) return 0;
    return write(e);
  }

  // Inside `batch`, rows are appended without rewriting the head record each time; the batch writes it once, at its end.
  let batching = false;
  let appendedInBatch = false;

  /** After rows were appended up to (`id`, `hash`): the head record follows now, or at the end of the batch. */
  function headAt(id: number, hash: string): void {
    if (batching) appendedInBatch = true;
    else writeHead(id, hash);
  }

  function write<T extends AuditType>(e: AuditInput<T>): number {
    if (!db.inTransaction) throw new TypeError('audit append must run inside a transaction');
    const prev = rows.last();
    const row = chainRow(e, prev?.id ?? 0, prev?.hash ?? GENESIS_HASH);
    headAt(row.id, row.hash);
    onAppend(row.id);
    return row.id;
  }

  /**
   * Runs `fn` (inside the caller's transaction) with the head record written once, after it, from the last row then
   * in the table: a unit of a group commit that appended and was rolled back to its savepoint leaves no trace in the
   * head. Rewriting the head with every row was about a tenth of a token exchange's CPU (bench/README.md).
   */
  function batch(fn: () => void): void {
    if (!db.inTransaction) throw new TypeError('audit batch must run inside a transaction');
    if (batching) {
      fn();
      return;
    }
    batching = true;
    appendedInBatch = false;
    try {
      fn();
      if (appendedInBatch) {
        const last = rows.last();
        if (last) writeHead(last.id, last.hash);
      }
    } finally {
      batching = false;
      appendedInBatch = false;
    }
  }

  /** Inserts one row chained after (`prevId`, `prevHash`); the head record is the caller's to write. */
  function chainRow(e: AuditInput, prevId: number, prevHash: string): { id: number; hash: string } {
    // one object per row: the MAC reads only the body's fields (chain.ts bodyJson), `hash` is set once it is known
    const row: AuditRow = {
      id: prevId + 1,
      ts: clock(),
      type: e.type,
      person: e.person ?? null,
      agent: e.agent ?? null,
      resource: e.resource ?? null,
      scopes: (e.scopes ?? []).join(' '),
      grant_id: e.grant_id ?? null,
      decision: e.decision ?? null,
      outcome: e.outcome,
      detail: detailJson(e.detail),
      prev_hash: prevHash,
      hash: '',
    };
    row.hash = rowMac(key, prevHash, row);
    rows.insert(row);
    return { id: row.id, hash: row.hash };
  }

  function writeHead(lastId: number, lastMac: string): void {
    const h: ChainHead = { last_id: lastId, last_mac: lastMac, count: lastId, legacy_rows: legacyRows };
    rows.writeHead({ ...h, mac: headMac(key, h) });
  }

  /**
   * Appends rows in order inside the caller's transaction, exactly as that many `append` calls would (each its own
   * row and MAC link, refusals over a client's rate only counted), but reads the chain's end once and writes the
   * head record once, after the last row: a batch of reported tool calls is one transaction.
   */
  function appendAll(inputs: readonly AuditInput[]): void {
    if (!db.inTransaction) throw new TypeError('audit append must run inside a transaction');
    const prev = rows.last();
    let id = prev?.id ?? 0;
    let hash = prev?.hash ?? GENESIS_HASH;
    for (const e of inputs) {
      if (e.outcome === 'refused' && refusals && !refusals.admit(e)) continue;
      ({ id, hash } = chainRow(e, id, hash));
      onAppend(id);
    }
    if (id !== (prev?.id ?? 0)) headAt(id, hash);
  }

  function query(q: AuditQuery): AuditEventView[] {
    return rows.query(q).map(toView);
  }

  /**
   * Records a refusal that changes nothing else: counted without opening a transaction when the client is over
   * its rate, else appended in its own durable transaction (`transact`, the daemon's transactor).
   */
  function refuse<T extends AuditType>(e: AuditInput<T> & { outcome: 'refused' }, transact: (fn: () => void) => void): void {
    if (refusals && !refusals.admit(e)) return;
    transact(() => void write(e));
  }

  /**
   * Walks the chain from the last verified head (from genesis with `full`, or when there is none) and compares its
   * end with the head record and the checkpoint (audit/verify.ts). A walk that passes becomes the next start.
   */
  function verify(o: { full?: boolean } = {}): AuditVerifyResult {
    const cp = opts.checkpoint?.read() ?? { kind: 'none' };
    if (cp.kind === 'invalid')
      return { ok: false, rows: 0, first_broken: { id: 0, reason: `the signed checkpoint outside the database is not valid: ${cp.reason}` } };
    const verified = o.full ? undefined : opts.checkpoint?.readVerified();
    const result = verifyChain(db, key, cp.kind === 'ok' ? cp.head : undefined, verified?.kind === 'ok' ? verified.head : undefined);
    if (result.ok) {
      opts.checkpoint?.write();
      opts.checkpoint?.writeVerified();
    }
    return result;
  }

  return { append, appendAll, batch, refuse, query, verify };
}

export type AuditLog = ReturnType<typeof auditLog>;
