import { createHmac, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../crypto.js';

/** The chain starts from a fixed genesis so deleting the first rows is detected too. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a row's MAC covers: every column but `prev_hash` and `hash`, including `id` (so reordering breaks the chain). */
export interface AuditRowBody {
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
}

/** The chain's head: last row, its MAC, how many rows, and how many of them form the unkeyed legacy prefix. */
export interface ChainHead {
  last_id: number;
  last_mac: string;
  count: number;
  legacy_rows: number;
}

const str = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));

/**
 * `canonicalJson(body)` for exactly the AuditRowBody fields, written out in sorted key order without the
 * generic walk: the chain is computed for every row appended and walked over every row verified, so this is
 * the audit trail's hot path (bench/README.md, scale bench). Only the body's own fields are read, so a row object
 * carrying more (prev_hash, hash) gives the same text. daemon/test/audit-chain-json.test.ts pins it to canonicalJson.
 */
export function bodyJson(b: AuditRowBody): string {
  return `{"agent":${str(b.agent)},"decision":${str(b.decision)},"detail":${str(b.detail)},"grant_id":${str(b.grant_id)},"id":${JSON.stringify(b.id)},"outcome":${JSON.stringify(b.outcome)},"person":${str(b.person)},"resource":${str(b.resource)},"scopes":${JSON.stringify(b.scopes)},"ts":${JSON.stringify(b.ts)},"type":${JSON.stringify(b.type)}}`;
}

/** Keyed link: HMAC-SHA-256 with the audit key (kept outside the database), domain-separated from the head MAC. */
export function rowMac(key: Buffer, prevMac: string, body: AuditRowBody): string {
  return createHmac('sha256', key)
    .update(`mandate.audit.row\n${prevMac}${bodyJson(body)}`, 'utf8')
    .digest('hex');
}

/** Link of rows written before the chain was keyed (plain SHA-256; anyone can recompute it). */
export function legacyHash(prevHash: string, body: AuditRowBody): string {
  return sha256Hex(prevHash + bodyJson(body));
}

/**
 * `canonicalJson` of exactly the ChainHead fields, in sorted key order, without the generic walk: the head record is
 * rewritten, and so MACed, with each append (once per group commit; log.ts `batch`). daemon/test/audit-chain-json.test.ts
 * pins it to canonicalJson.
 */
export function headJson(h: ChainHead): string {
  return `{"count":${JSON.stringify(h.count)},"last_id":${JSON.stringify(h.last_id)},"last_mac":${JSON.stringify(h.last_mac)},"legacy_rows":${JSON.stringify(h.legacy_rows)}}`;
}

export function headMac(key: Buffer, head: ChainHead): string {
  return createHmac('sha256', key)
    .update(`mandate.audit.head\n${headJson(head)}`, 'utf8')
    .digest('hex');
}

/** Constant-time comparison of two hex MACs. */
export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
