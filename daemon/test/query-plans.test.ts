/**
 * The query plans the scale figures depend on (issue 14, bench/scale.ts): history and audit filters walk an
 * index and stop at their limit instead of scanning or sorting the table. Each assertion fails when the index
 * it names is dropped (INDEXED BY then refuses to prepare, or the plan falls back to a scan and a sort).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditQuery } from '#shared/admin-api.js';
import { DRIVER_INDEX, PROBE_CAP, auditQuerySql, auditQueryPlanner } from '../src/store/audit-query.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { EXPIRE_DUE_SQL, LIST_ALL_SQL, TOKEN_GRANT_SQL } from '../src/store/grants.repo.js';
import { TOKEN_LIVENESS_SQL } from '../src/store/liveness-cache.js';
import { COUNT_UP_TO_SQL } from '../src/store/audit.repo.js';

let dir: string;
let db: Database;

const plan = (sql: string, params: Record<string, unknown> = {}): string[] =>
  db
    .prepare<Record<string, unknown>, { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(params)
    .map((r) => r.detail);

/** Rows: `type`/`agent`/`resource` common or rare, so the planner has something to choose between. */
function fill(rows: number): void {
  const insert = db.prepare(
    `INSERT INTO audit (id, ts, type, person, agent, resource, scopes, grant_id, decision, outcome, detail, prev_hash, hash)
     VALUES (?, ?, ?, 'p', ?, ?, '', NULL, NULL, ?, NULL, '', '')`,
  );
  db.transaction(() => {
    for (let id = 1; id <= rows; id++) {
      const rare = id % 500 === 0;
      insert.run(
        id,
        1_000_000 + id,
        rare ? 'grant.revoked' : 'token.issued',
        rare ? 'agent-rare' : 'agent-common',
        rare ? 'https://rare/' : 'https://common/',
        rare ? 'refused' : 'ok',
      );
    }
  })();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mandate-plans-'));
  db = openDatabase(join(dir, 'mandate.db'));
  fill(PROBE_CAP + 5_000);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('query plans at scale', () => {
  it('grants history (all=true) walks grants_by_created backwards and stops at the limit: no sort', () => {
    const p = plan(LIST_ALL_SQL, { limit: 200 });
    expect(p.join('\n')).toContain('SCAN g USING INDEX grants_by_created');
    expect(p.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('the expiry sweep seeks the approved grants and the pending requests that are due, each on its own index', () => {
    expect(plan(EXPIRE_DUE_SQL, { now: 1 })).toEqual([
      'MULTI-INDEX OR',
      'INDEX 1',
      'SEARCH grants USING INDEX grants_by_status (status=? AND expires_at<?)',
      'INDEX 2',
      'SEARCH grants USING INDEX grants_pending_by_deadline (status=? AND request_expires_at<?)',
    ]);
  });

  it('the introspection token check finds the jti and its grant each by key, and reads nothing else', () => {
    expect(plan(TOKEN_LIVENESS_SQL.replace('?', '@jti'), { jti: 'x' })).toEqual([
      'SEARCH t USING INDEX sqlite_autoindex_tokens_1 (jti=?)',
      'SEARCH g USING INDEX sqlite_autoindex_grants_1 (id=?)',
    ]);
  });

  it('the token check (every exchange and agent revocation) finds the jti, its grant and the client each by key, in one statement', () => {
    expect(plan(TOKEN_GRANT_SQL.replace('?', '@jti'), { jti: 'x' })).toEqual([
      'SEARCH t USING INDEX sqlite_autoindex_tokens_1 (jti=?)',
      'SEARCH g USING INDEX sqlite_autoindex_grants_1 (id=?)',
      'SEARCH c USING INDEX sqlite_autoindex_clients_1 (client_id=?)',
    ]);
  });

  it('incremental verify counts the verified prefix on the narrow ts index, not the table', () => {
    expect(plan(COUNT_UP_TO_SQL.replace('?', '@n'), { n: 100 }).join('\n')).toContain('USING COVERING INDEX audit_by_ts');
  });

  const ROWID = /^(SCAN audit|SEARCH audit USING INTEGER PRIMARY KEY \(rowid[<>]\?( AND rowid<\?)?\))$/m;
  const cases: { name: string; q: Omit<AuditQuery, 'limit'>; driver: string; index: string | null }[] = [
    { name: 'no filter', q: {}, driver: 'id', index: null },
    { name: 'agent', q: { agent: 'agent-rare' }, driver: 'agent', index: 'audit_filter_agent' },
    { name: 'resource', q: { resource: 'https://rare/' }, driver: 'resource', index: 'audit_filter_resource' },
    { name: 'outcome', q: { outcome: 'refused' }, driver: 'outcome', index: 'audit_filter_outcome' },
    { name: 'type', q: { type: 'grant.revoked' }, driver: 'type', index: 'audit_filter_type' },
    { name: 'the rarest of several equalities drives', q: { agent: 'agent-common', type: 'grant.revoked' }, driver: 'type', index: 'audit_filter_type' },
    { name: 'a common value with a rare one', q: { resource: 'https://common/', outcome: 'refused' }, driver: 'outcome', index: 'audit_filter_outcome' },
    { name: 'type and outcome together', q: { type: 'grant.revoked', outcome: 'refused' }, driver: 'type_outcome', index: 'audit_filter_type_outcome' },
    { name: 'a ts range (an id range while ts grows with id)', q: { since: 1_000_010, until: 1_000_020 }, driver: 'id', index: null },
    { name: 'a ts range with a type', q: { type: 'token.issued', until: 1_000_300 }, driver: 'type', index: 'audit_filter_type' },
    { name: 'before_id with a type', q: { type: 'grant.revoked', before_id: 1000 }, driver: 'type', index: 'audit_filter_type' },
  ];

  it.each(cases)('audit filter: $name → driven by $driver', ({ q, driver, index }) => {
    const planner = auditQueryPlanner(db);
    const chosen = planner.plan({ limit: 200, ...q });
    if (chosen === 'empty') throw new Error('planned as empty');
    expect(chosen.driver).toBe(driver);
    const text = plan(chosen.sql, chosen.params).join('\n');
    if (index) expect(text).toMatch(new RegExp(`SEARCH audit USING INDEX ${index} \\(`));
    else expect(text).toMatch(ROWID); // the rowid walked backwards: ORDER BY id DESC LIMIT stops early
    expect(text).not.toMatch(/TEMP B-TREE/);
    expect(planner.run({ limit: 200, ...q }).length).toBeLessThanOrEqual(200);
  });

  /**
   * Common filters that rarely meet (an agent, a resource and `refused`) walk many entries of the driving index;
   * each filter index carries the other filter columns (migration 010), so they are compared on the index entry
   * and the table row is read (SQLite's deferred seek) only for a row that matches. In the bytecode: every
   * filter comparison comes before the first read of a table column.
   */
  it.each(['agent', 'resource', 'outcome', 'type', 'type_outcome'] as const)(
    'the %s index answers the other filters itself: no table read per walked entry',
    (driver) => {
      const q = { limit: 200, agent: 'agent-common', resource: 'https://common/', outcome: 'ok' as const, type: 'token.issued' };
      const sql = auditQuerySql(q, driver);
      const root = (db.prepare(`SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'audit'`).get() as { rootpage: number }).rootpage;
      const code = db.prepare<Record<string, unknown>, { opcode: string; p1: number; p2: number }>(`EXPLAIN ${sql}`).all({ ...q });
      const table = code.find((o) => o.opcode === 'OpenRead' && o.p2 === root)?.p1;
      const firstTableRead = code.findIndex((o) => o.opcode === 'Column' && o.p1 === table);
      const compares = code.flatMap((o, i) => (o.opcode === 'Ne' || o.opcode === 'Eq' ? [i] : []));
      expect(compares.length).toBeGreaterThanOrEqual(driver === 'type_outcome' ? 2 : 3); // the terms not in the seek key
      expect(code.some((o) => o.opcode === 'DeferredSeek')).toBe(true);
      expect(Math.max(...compares)).toBeLessThan(firstTableRead);
    },
  );

  it('the filter indexes hold their filter column, id, then the other filter columns (migration 010)', () => {
    const columns = (index: string) =>
      db
        .prepare<[], { name: string }>(`PRAGMA index_info(${index})`)
        .all()
        .map((c) => c.name);
    expect(columns(DRIVER_INDEX.agent)).toEqual(['agent', 'id', 'resource', 'outcome', 'type']);
    expect(columns(DRIVER_INDEX.resource)).toEqual(['resource', 'id', 'agent', 'outcome', 'type']);
    expect(columns(DRIVER_INDEX.outcome)).toEqual(['outcome', 'id', 'agent', 'resource', 'type']);
    expect(columns(DRIVER_INDEX.type)).toEqual(['type', 'id', 'agent', 'resource', 'outcome']);
    expect(columns(DRIVER_INDEX.type_outcome)).toEqual(['type', 'outcome', 'id', 'agent', 'resource']);
  });

  it('a filter value no row holds is answered without walking an index', () => {
    const planner = auditQueryPlanner(db);
    expect(planner.plan({ limit: 200, type: 'no.such' })).toBe('empty');
    expect(planner.plan({ limit: 200, agent: 'agent-common', resource: 'https://common/', outcome: 'refused', type: 'token.issued' })).toBe('empty');
    expect(planner.run({ limit: 200, agent: 'nobody' })).toEqual([]);
    expect(planner.plan({ limit: 200, resource: 'https://common/', until: 2_000_000, before_id: 1 })).toBe('empty'); // ids start at 1
    expect(planner.run({ limit: 200, agent: 'agent-rare', type: 'grant.revoked' }).length).toBeGreaterThan(0);
  });

  it('until with a smaller before_id seeks one upper bound, not two', () => {
    const chosen = auditQueryPlanner(db).plan({ limit: 200, until: 1_000_000 + PROBE_CAP, before_id: 10 });
    if (chosen === 'empty') throw new Error('planned as empty');
    expect(chosen.params).toMatchObject({ to_id: 9 });
    expect(chosen.params).not.toHaveProperty('before_id');
    expect(
      auditQueryPlanner(db)
        .run({ limit: 200, until: 1_000_000 + PROBE_CAP, before_id: 10 })
        .map((r) => r.id),
    ).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('a ts range no row falls in is answered without reading the trail', () => {
    const planner = auditQueryPlanner(db);
    expect(planner.plan({ limit: 200, type: 'token.issued', since: 9_000_000 })).toBe('empty');
    expect(planner.plan({ limit: 200, until: 10 })).toBe('empty');
    expect(planner.run({ limit: 200, since: 9_000_000 })).toEqual([]);
  });

  it('every filter combination the route accepts is driven by an index or the rowid, never a full sort', () => {
    const planner = auditQueryPlanner(db);
    const values = { agent: 'nobody', resource: 'https://rare/', outcome: 'ok', type: 'no.such', since: 1_000_100, until: 2_000_000, before_id: 7 } as const;
    const names = Object.keys(values) as (keyof typeof values)[];
    for (let mask = 0; mask < 1 << names.length; mask++) {
      const q: Record<string, unknown> = { limit: 50 };
      for (const [i, n] of names.entries()) if (mask & (1 << i)) q[n] = values[n];
      const chosen = planner.plan(q as AuditQuery);
      if (chosen === 'empty') continue;
      const text = plan(chosen.sql, chosen.params).join('\n');
      expect(text, JSON.stringify(q)).not.toMatch(/TEMP B-TREE/);
      expect(text, JSON.stringify(q)).toMatch(chosen.driver === 'id' ? ROWID : /SEARCH audit USING INDEX/);
    }
  });

  it('once the clock steps back (audit_ts_steps), a small ts range is read through audit_by_ts instead', () => {
    const next = (db.prepare('SELECT max(id) AS m FROM audit').get() as { m: number }).m + 1;
    db.prepare(`INSERT INTO audit (id, ts, type, scopes, outcome, prev_hash, hash) VALUES (?, 5, 't', '', 'ok', '', '')`).run(next);
    expect(db.prepare('SELECT id FROM audit_ts_steps').all()).toEqual([{ id: next }]); // the trigger saw it
    const chosen = auditQueryPlanner(db).plan({ limit: 200, since: 1_000_010, until: 1_000_020 });
    if (chosen === 'empty') throw new Error('planned as empty');
    expect(chosen.driver).toBe('ts');
    const text = plan(chosen.sql, chosen.params).join('\n');
    expect(text).toMatch(/SEARCH audit USING INDEX audit_by_ts \(ts>\? AND ts<\?\)/);
    expect(text).toContain('USE TEMP B-TREE FOR ORDER BY'); // bounded: the range holds < PROBE_CAP rows
    expect(auditQueryPlanner(db).run({ limit: 200, since: 1_000_010, until: 1_000_020 })).toHaveLength(11);
  });
});
