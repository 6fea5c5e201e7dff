/**
 * Seeds a Mandate data directory at scale: N grants and M audit rows, written with the daemon's own store and
 * chain code (repos, rowMac, head record, signed checkpoint), so the daemon starts on it without complaint and
 * `mandate audit verify` passes. One transaction, prepared statements: a million audit rows take seconds.
 *
 *   node --import tsx bench/seed.ts <home> [grants] [auditRows]     (key root: MANDATE_KEY_DIR)
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { canonicalJson } from '#shared/canonical-json.js';
import type { AuditType } from '#shared/audit-events.js';
import { GENESIS_HASH, rowMac, type AuditRowBody } from '../daemon/src/audit/chain.js';
import { writeCheckpoint } from '../daemon/src/audit/checkpoint.js';
import { writeHeadRecord } from '../daemon/src/audit/log.js';
import { initEmptyHead, openAuditKey } from '../daemon/src/audit/trail.js';
import { DB_FILE } from '../daemon/src/config.js';
import { auditRepo } from '../daemon/src/store/audit.repo.js';
import { clientsRepo } from '../daemon/src/store/clients.repo.js';
import { openDatabase } from '../daemon/src/store/db.js';
import { prng } from '../daemon/test/prng.js';
import { grantsRepo } from '../daemon/src/store/grants.repo.js';
import { join } from 'node:path';

export interface SeedOptions {
  home: string;
  /** Root of the audit key directories (as MANDATE_KEY_DIR). */
  keyRoot: string;
  grants: number;
  auditRows: number;
  /** The newest timestamp; rows spread back over `spanDays` before it. */
  now?: number;
  spanDays?: number;
}

export interface SeedResult {
  grants: number;
  auditRows: number;
  agents: string[];
  resources: string[];
  seconds: number;
}

const PERSON = 'user:bench@seed-host';
export const RESOURCES = [
  'https://mail.example/',
  'https://calendar.example/',
  'https://drive.example/',
  'https://crm.example/',
  'https://billing.example/',
  'https://tickets.example/',
];
const SCOPES = ['read', 'write', 'send', 'delete', 'admin'];
const AGENT_COUNT = 24;
/** The agents' client ids a seeded directory holds. */
export const AGENTS = Array.from({ length: AGENT_COUNT }, (_, i) => `agent-${i.toString().padStart(2, '0')}`);

/** Weighted pick: `[value, weight][]`. */
function weighted<T>(rand: () => number, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of table) {
    r -= w;
    if (r < 0) return v;
  }
  return table[table.length - 1]![0];
}

type Status = 'approved' | 'denied' | 'expired' | 'revoked' | 'ended' | 'pending';
const STATUS_MIX: readonly (readonly [Status, number])[] = [
  ['expired', 55],
  ['revoked', 12],
  ['ended', 8],
  ['denied', 15],
  ['approved', 9],
  ['pending', 1],
];

/** The audit mix of a busy trail: mostly issuance and introspection misses, some decisions and refusals. */
const AUDIT_MIX: readonly (readonly [AuditType, number])[] = [
  ['token.issued', 40],
  ['request.created', 10],
  ['grant.approved', 8],
  ['grant.denied', 2],
  ['grant.expired', 8],
  ['grant.revoked', 2],
  ['token.refused', 6],
  ['request.refused', 4],
  ['token.introspected_inactive', 8],
  ['tool.called', 10],
  ['tool.refused', 2],
];

function detailFor(type: AuditType, rand: () => number, ts: number, n: number): { outcome: 'ok' | 'refused'; detail: object } {
  const jti = `jti-${n.toString(36)}`;
  switch (type) {
    case 'token.issued':
      return { outcome: 'ok', detail: { jti, exp: ts + 900, via: rand() < 0.8 ? 'token-exchange' : 'ciba' } };
    case 'request.created':
      return { outcome: 'ok', detail: { requested_expiry: 3600, capped_to: null, blocked_by_policy: [] } };
    case 'grant.approved':
      return { outcome: 'ok', detail: { via: 'extension:bench', expires_at: ts + 3600, dropped_scopes: [] } };
    case 'grant.denied':
      return { outcome: 'ok', detail: { via: 'cli', reason: null } };
    case 'grant.expired':
      return { outcome: 'ok', detail: { expired_at: ts } };
    case 'grant.revoked':
      return { outcome: 'ok', detail: { via: 'extension:bench' } };
    case 'token.refused':
      return { outcome: 'refused', detail: { error: 'invalid_grant', reason: 'the grant is no longer live' } };
    case 'request.refused':
      return { outcome: 'refused', detail: { error: 'invalid_scope', reason: 'beyond the agent ceiling', beyond_ceiling: ['admin'] } };
    case 'token.introspected_inactive':
      return { outcome: 'ok', detail: { caller: 'rs-bench', reason: 'expired' } };
    case 'tool.called':
      return { outcome: 'ok', detail: { tool: 'send_mail', call_id: `call-${n}`, reported_by: 'rs-bench', at: ts, reason: null } };
    default:
      return { outcome: 'refused', detail: { tool: 'delete_all', call_id: `call-${n}`, reported_by: 'rs-bench', at: ts, reason: 'scope' } };
  }
}

/** Seeds `opts.home` (created if needed; must hold no Mandate data yet). */
export function seed(opts: SeedOptions): SeedResult {
  const started = performance.now();
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const span = (opts.spanDays ?? 180) * 86400;
  const rand = prng(0x5eed);
  mkdirSync(opts.home, { recursive: true, mode: 0o700 });
  const db = openDatabase(join(opts.home, DB_FILE));
  // Bench set-up, not the daemon: a fresh file filled in one transaction needs no WAL copy of every page and no
  // fsync; a large page cache keeps the index inserts in memory. The daemon reopens it in WAL with synchronous=FULL.
  db.pragma('journal_mode = DELETE');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  try {
    const trail = openAuditKey(db, opts.keyRoot, opts.home);
    const clients = clientsRepo(db);
    const grants = grantsRepo(db);
    const audit = auditRepo(db);
    const agents = AGENTS;

    db.transaction(() => {
      initEmptyHead(db, trail);
      const firstId = audit.maxId();
      if (firstId !== 0) throw new Error(`${opts.home} already holds an audit trail; seed an empty data directory`);
      for (const [i, client_id] of agents.entries()) {
        clients.insert({
          client_id,
          kind: 'agent',
          name: `Bench agent ${i}`,
          secret_hash: createHash('sha256').update(client_id).digest(),
          scopes: SCOPES,
          resources: RESOURCES,
          created_at: now - span - 86400,
        });
      }

      // Grants, oldest first, each moved to its final status by the repo's own state changes.
      for (let i = 0; i < opts.grants; i++) {
        const created = now - span + Math.floor((span * i) / Math.max(1, opts.grants));
        const status = weighted(rand, STATUS_MIX);
        const id = `grant-${i.toString(36).padStart(6, '0')}`;
        const scope = SCOPES.slice(0, 1 + Math.floor(rand() * 3));
        const live = status === 'approved' || status === 'pending';
        const at = live ? now - 60 : created;
        grants.insert({
          id,
          auth_req_hash: randomBytes(32),
          client_id: agents[Math.floor(rand() * agents.length)]!,
          sub: PERSON,
          resource: RESOURCES[Math.floor(rand() * RESOURCES.length)]!,
          binding_message: rand() < 0.3 ? `Bench request ${i}` : null,
          requested_scope: scope,
          requested_duration: 3600,
          asked_duration: 3600,
          authorization_details: null,
          created_at: at,
          request_expires_at: at + 300,
          poll_interval: 5,
        });
        const d = { at: at + 10, by: PERSON, via: 'extension:bench' };
        if (status === 'denied') grants.deny(id, at + 10, d);
        else if (status !== 'pending') {
          grants.approve(id, at + 10, scope, at + 3610, d);
          if (status === 'revoked' || status === 'ended') grants.end(id, at + 20, status, PERSON);
        }
      }
      if (opts.grants > 0) grants.expireDue(now);

      // Audit rows, chained with the daemon's keyed MAC; the head record and checkpoint are written once at the end.
      let prev = GENESIS_HASH;
      for (let id = 1; id <= opts.auditRows; id++) {
        const ts = now - span + Math.floor((span * id) / Math.max(1, opts.auditRows));
        const type = weighted(rand, AUDIT_MIX);
        const { outcome, detail } = detailFor(type, rand, ts, id);
        const body: AuditRowBody = {
          id,
          ts,
          type,
          person: PERSON,
          agent: agents[Math.floor(rand() * agents.length)]!,
          resource: RESOURCES[Math.floor(rand() * RESOURCES.length)]!,
          scopes: SCOPES.slice(0, 1 + Math.floor(rand() * 2)).join(' '),
          grant_id: `grant-${Math.floor(rand() * Math.max(1, opts.grants)).toString(36)}`,
          decision: null,
          outcome,
          detail: canonicalJson(detail),
        };
        const mac = rowMac(trail.key, prev, body);
        audit.insert({ ...body, prev_hash: prev, hash: mac });
        prev = mac;
      }
      if (opts.auditRows > 0) {
        writeHeadRecord(db, trail.key, { last_id: opts.auditRows, last_mac: prev, count: opts.auditRows, legacy_rows: 0 });
      }
    }).immediate();
    const head = { last_id: opts.auditRows, last_mac: audit.last()?.hash ?? GENESIS_HASH, count: opts.auditRows, legacy_rows: 0 };
    writeCheckpoint(trail.dir, trail.key, head);
    db.pragma('journal_mode = WAL');
    return { grants: opts.grants, auditRows: opts.auditRows, agents, resources: RESOURCES, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [home, g, a] = process.argv.slice(2);
  const keyRoot = process.env.MANDATE_KEY_DIR;
  if (!home || !keyRoot) {
    console.error('usage: MANDATE_KEY_DIR=<key root> node --import tsx bench/seed.ts <home> [grants=100000] [auditRows=1000000]');
    process.exit(2);
  }
  const r = seed({ home, keyRoot, grants: Number(g ?? 100_000), auditRows: Number(a ?? 1_000_000) });
  console.log(`seeded ${home}: ${r.grants} grants, ${r.auditRows} audit rows in ${r.seconds.toFixed(1)} s`);
}
