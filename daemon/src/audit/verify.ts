import type { Database } from 'better-sqlite3';
import type { AuditVerifyResult } from '#shared/admin-api.js';
import { GENESIS_HASH, headMac, legacyHash, rowMac, sameMac, type ChainHead } from './chain.js';
import { auditRepo } from '../store/audit.repo.js';
import { readHeadRecord } from './log.js';

const short = (mac: string) => `${mac.slice(0, 16)}…`;

function broken(rows: number, id: number, reason: string): AuditVerifyResult {
  return { ok: false, rows, first_broken: { id, reason } };
}

function tamperReason(detail: string | null): string {
  try {
    const parsed: unknown = detail === null ? null : JSON.parse(detail);
    if (parsed && typeof parsed === 'object' && 'reason' in parsed && typeof parsed.reason === 'string') return parsed.reason;
  } catch {
    // fall through: the row's MAC was checked, so this is our own row; say what we can
  }
  return 'see the row';
}

/**
 * Where the walk starts: after the last verified head when its row is still the one recorded and rows 1..N are
 * all still there; else from genesis (so a problem in the verified prefix is still named exactly, by the full
 * walk). Rows 1..N are then not re-MAC'ed: an in-place edit there that leaves the stored MAC alone is found by
 * `audit verify --full` only (docs/security.md).
 */
function startFrom(db: Database, verified: ChainHead | undefined, legacyRows: number): { id: number; mac: string } {
  if (!verified || verified.last_id === 0 || verified.last_id < legacyRows) return { id: 0, mac: GENESIS_HASH };
  const repo = auditRepo(db);
  const at = repo.hashAt(verified.last_id);
  if (at === undefined || !sameMac(at, verified.last_mac) || repo.countUpTo(verified.last_id) !== verified.last_id) return { id: 0, mac: GENESIS_HASH };
  return { id: verified.last_id, mac: verified.last_mac };
}

/**
 * Walks the chain from genesis (or from `verified`, the head an earlier walk found intact; see startFrom): ids consecutive from 1, each row linked to the previous one, the legacy prefix
 * by SHA-256 and every later row by HMAC-SHA-256 under the audit key. Then compares the end of the chain with
 * the head record (in the database, MAC'ed) and with the signed checkpoint (outside the database). A trail in
 * which the daemon recorded `audit.tamper_detected` stays reported as broken at that row.
 * Reports the first problem, naming the row and what was expected.
 */
export function verifyChain(db: Database, key: Buffer, checkpoint?: ChainHead, verified?: ChainHead): AuditVerifyResult {
  const head = readHeadRecord(db);
  if (head && !sameMac(head.mac, headMac(key, head))) {
    return broken(
      0,
      head.last_id,
      'the head record in the database does not carry a valid MAC: it was edited, or the audit key is not the one this trail was written with',
    );
  }
  const legacyRows = head?.legacy_rows ?? checkpoint?.legacy_rows ?? 0;
  const repo = auditRepo(db);
  const start = startFrom(db, verified, legacyRows);
  let prevHash = start.mac;
  let rows = start.id;
  let tamper: { id: number; reason: string } | undefined;
  if (start.id > 0) {
    if (checkpoint && checkpoint.last_id > 0 && checkpoint.last_id <= start.id) {
      const at = repo.hashAt(checkpoint.last_id);
      if (at === undefined || !sameMac(at, checkpoint.last_mac)) return verifyChain(db, key, checkpoint); // name the row: walk it all
    }
    const t = repo.firstOfType('audit.tamper_detected', start.id);
    if (t) tamper = { id: t.id, reason: tamperReason(t.detail) };
  }
  for (const row of repo.iterateAfter(start.id)) {
    rows++;
    const { hash, prev_hash, ...body } = row;
    if (row.id !== rows) {
      return broken(rows, row.id, `expected row ${rows} next but found ${row.id}: rows were deleted or renumbered`);
    }
    if (prev_hash !== prevHash) {
      return broken(rows, row.id, 'prev_hash does not match the previous row: rows were deleted, inserted or reordered');
    }
    if (row.id <= legacyRows) {
      if (!sameMac(legacyHash(prevHash, body), hash)) return broken(rows, row.id, 'row content does not match its hash: the row was edited');
    } else if (!sameMac(rowMac(key, prevHash, body), hash)) {
      return broken(rows, row.id, 'row content does not match its MAC: the row was edited, or the chain was recomputed without the audit key');
    }
    if (checkpoint && row.id === checkpoint.last_id && !sameMac(hash, checkpoint.last_mac)) {
      return broken(
        rows,
        row.id,
        `row ${row.id} is not the row the signed checkpoint recorded (expected MAC ${short(checkpoint.last_mac)}, found ${short(hash)}): the trail was rewritten from here or earlier`,
      );
    }
    if (row.type === 'audit.tamper_detected' && tamper === undefined) tamper = { id: row.id, reason: tamperReason(row.detail) };
    prevHash = hash;
  }
  const lastId = rows;
  if (!head) {
    if (rows > 0 || (checkpoint?.count ?? 0) > 0) {
      return broken(rows, lastId + 1, 'the head record is missing from the database: it was deleted, so truncation cannot be ruled out');
    }
  } else if (head.last_id > lastId) {
    return broken(
      rows,
      lastId + 1,
      `truncated: the head record says the trail ends at row ${head.last_id} (MAC ${short(head.last_mac)}), but the database ends at row ${lastId}; rows ${lastId + 1}..${head.last_id} were deleted`,
    );
  } else if (head.last_id < lastId) {
    return broken(
      rows,
      head.last_id + 1,
      `rows ${head.last_id + 1}..${lastId} come after the head record (row ${head.last_id}): they were not written by the daemon`,
    );
  } else if (!sameMac(head.last_mac, prevHash) || head.count !== rows) {
    return broken(
      rows,
      lastId,
      `the last row does not match the head record (expected MAC ${short(head.last_mac)} and ${head.count} rows, found ${short(prevHash)} and ${rows})`,
    );
  }
  if (checkpoint && checkpoint.last_id > lastId) {
    return broken(
      rows,
      lastId + 1,
      `truncated: the signed checkpoint outside the database says the trail reached row ${checkpoint.last_id} (MAC ${short(checkpoint.last_mac)}), but the database ends at row ${lastId}; the rows after it were deleted and the head record rolled back`,
    );
  }
  if (tamper) return broken(rows, tamper.id, `the daemon detected tampering at start-up: ${tamper.reason}`);
  return { ok: true, rows, first_broken: null, ...(start.id > 0 ? { verified_from: start.id } : {}) };
}
