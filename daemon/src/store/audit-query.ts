import type { Database, Statement } from 'better-sqlite3';
import type { AuditQuery } from '#shared/admin-api.js';
import { AUDIT_COLUMNS, type AuditRow } from './audit.repo.js';

/**
 * The admin audit filters at scale (issue 14). Every filter the route accepts is a conjunction of equalities on
 * agent, resource, outcome and type, a ts range and an id bound, newest first with a limit. Each equality has an
 * index `(column, id, <the other equality columns>)` (migration 010) and ts has `(ts)`; a query is driven by ONE
 * of them and the other equalities are checked on the index entries it yields (the table row is read only for a
 * match), the ts and id terms on the rows. Which one is chosen here, not left to SQLite, because the database
 * carries no statistics and the wrong guess scans a million rows for a filter that matches nothing:
 *
 * - while ts never went back (audit_ts_steps is empty, migration 009), since/until become an id range found
 *   with two seeks on audit_by_ts, and an empty range answers at once;
 * - each candidate is counted, up to PROBE_CAP entries, on its own index (index-only, a few hundred µs); a count
 *   of 0 answers at once: the filters are a conjunction;
 * - type with outcome has its own index (type, outcome, id, ...): each is common, together they often match nothing;
 * - the smallest wins: an equality index is walked backwards by id and stops after `limit` matches, a ts range
 *   small enough is read whole and sorted;
 * - with no candidate under the cap (every term is common) the smallest equality index still drives; with no
 *   equality at all, the table is walked backwards by id (any big ts range matches early).
 *
 * The statements are prepared once per plan shape and kept. daemon/test/query-plans.test.ts pins each plan.
 */
export const PROBE_CAP = 20_000;

export type AuditDriver = 'agent' | 'resource' | 'outcome' | 'type' | 'type_outcome' | 'ts' | 'id';

const EQUALITIES = ['agent', 'resource', 'outcome', 'type'] as const;
type Equality = (typeof EQUALITIES)[number];

export const DRIVER_INDEX: Record<Exclude<AuditDriver, 'id'>, string> = {
  agent: 'audit_filter_agent',
  resource: 'audit_filter_resource',
  outcome: 'audit_filter_outcome',
  type: 'audit_filter_type',
  type_outcome: 'audit_filter_type_outcome',
  ts: 'audit_by_ts',
};

/** A query whose since/until were turned into an id range (`from_id`..`to_id`, inclusive). */
export type PlannedQuery = AuditQuery & { from_id?: number; to_id?: number };

/** The WHERE terms of a query; `+column` keeps SQLite from using an index other than the chosen driver. */
function terms(q: PlannedQuery, driver: AuditDriver): string[] {
  const out: string[] = [];
  const indexed = (col: Equality) => col === driver || (driver === 'type_outcome' && (col === 'type' || col === 'outcome'));
  for (const col of EQUALITIES) if (q[col] !== undefined) out.push(`${indexed(col) ? '' : '+'}${col} = @${col}`);
  const ts = driver === 'ts' ? 'ts' : '+ts';
  if (q.since !== undefined && q.from_id === undefined) out.push(`${ts} >= @since`);
  if (q.until !== undefined && q.to_id === undefined) out.push(`${ts} <= @until`);
  if (q.from_id !== undefined) out.push('id >= @from_id');
  if (q.to_id !== undefined) out.push('id <= @to_id');
  if (q.before_id !== undefined) out.push('id < @before_id');
  return out;
}

/** The SQL of one plan: the same for every query of the same shape and driver, so it is prepared once. */
export function auditQuerySql(q: PlannedQuery, driver: AuditDriver): string {
  const where = terms(q, driver);
  const from = driver === 'id' ? 'audit' : `audit INDEXED BY ${DRIVER_INDEX[driver]}`;
  return `SELECT ${AUDIT_COLUMNS} FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
}

type Params = Record<string, string | number>;

export function auditQueryPlanner(db: Database) {
  const cache = new Map<string, Statement<Params, AuditRow>>();
  const prepared = (sql: string): Statement<Params, AuditRow> => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare<Params, AuditRow>(sql);
      cache.set(sql, st);
    }
    return st;
  };
  const probe = (sql: string) => db.prepare<Params, { n: number }>(`SELECT count(*) AS n FROM (${sql} LIMIT ${PROBE_CAP})`);
  const eqProbe = Object.fromEntries(EQUALITIES.map((c) => [c, probe(`SELECT 1 FROM audit INDEXED BY ${DRIVER_INDEX[c]} WHERE ${c} = @v`)])) as Record<
    Equality,
    Statement<Params, { n: number }>
  >;
  const typeOutcomeProbe = probe(`SELECT 1 FROM audit INDEXED BY ${DRIVER_INDEX.type_outcome} WHERE type = @type AND outcome = @outcome`);
  const tsProbe = probe('SELECT 1 FROM audit INDEXED BY audit_by_ts WHERE ts BETWEEN @since AND @until');
  const tsStepped = db.prepare<[], { s: number }>('SELECT EXISTS (SELECT 1 FROM audit_ts_steps) AS s');
  const firstSince = db.prepare<[number], { id: number }>('SELECT id FROM audit INDEXED BY audit_by_ts WHERE ts >= ? ORDER BY ts, id LIMIT 1');
  const lastUntil = db.prepare<[number], { id: number }>('SELECT id FROM audit INDEXED BY audit_by_ts WHERE ts <= ? ORDER BY ts DESC, id DESC LIMIT 1');

  /** since/until as an id range while ts grows with id; `empty` when no row can match. */
  function idRange(q: AuditQuery): PlannedQuery | 'empty' {
    if ((q.since === undefined && q.until === undefined) || tsStepped.get()?.s) return q;
    const out: PlannedQuery = { ...q };
    if (q.since !== undefined) {
      const first = firstSince.get(q.since);
      if (!first) return 'empty';
      out.from_id = first.id;
    }
    if (q.until !== undefined) {
      const last = lastUntil.get(q.until);
      if (!last) return 'empty';
      out.to_id = last.id;
      // One upper bound: SQLite seeks on one of `id <= to_id` and `id < before_id` and checks the other on
      // every row it walks, so `until` with a far smaller before_id walked the whole id range for nothing.
      if (out.before_id !== undefined) {
        out.to_id = Math.min(out.to_id, out.before_id - 1);
        delete out.before_id;
      }
    }
    return out.from_id !== undefined && out.to_id !== undefined && out.from_id > out.to_id ? 'empty' : out;
  }

  /**
   * Which index drives the query (exported through `plan` for the query-plan tests and the bench); 'empty'
   * when a probe counts no row at all: the filters are a conjunction, so nothing can match.
   */
  function choose(q: PlannedQuery): AuditDriver | 'empty' {
    // type with outcome first: the pair is the one most often empty, and then the other probes are spared.
    const probes: [AuditDriver, () => number][] = [];
    if (q.type !== undefined && q.outcome !== undefined) {
      const pair = { type: q.type, outcome: q.outcome };
      probes.push(['type_outcome', () => typeOutcomeProbe.get(pair)?.n ?? 0]);
    }
    for (const col of EQUALITIES) {
      const v = q[col];
      if (v !== undefined) probes.push([col, () => eqProbe[col].get({ v })?.n ?? 0]);
    }
    let best: { driver: AuditDriver; n: number } | undefined;
    for (const [driver, count] of probes) {
      const n = count();
      if (n === 0) return 'empty';
      if (!best || n < best.n) best = { driver, n };
    }
    if ((q.since !== undefined || q.until !== undefined) && q.from_id === undefined && q.to_id === undefined) {
      const n = tsProbe.get({ since: q.since ?? 0, until: q.until ?? Number.MAX_SAFE_INTEGER })?.n ?? 0;
      if (n === 0) return 'empty';
      if (n < PROBE_CAP && (!best || n < best.n)) best = { driver: 'ts', n };
    }
    return best?.driver ?? 'id';
  }

  function params(q: PlannedQuery): Params {
    const p: Params = { limit: q.limit };
    for (const [k, v] of Object.entries(q)) if (typeof v === 'string' || typeof v === 'number') p[k] = v;
    return p;
  }

  /** How `q` is answered: the driving index and the SQL with its parameters ('empty': no row can match). */
  function plan(q: AuditQuery): { driver: AuditDriver; sql: string; params: Params } | 'empty' {
    if (q.before_id !== undefined && q.before_id <= 1) return 'empty'; // ids start at 1
    const r = idRange(q);
    if (r === 'empty') return 'empty';
    const driver = choose(r);
    if (driver === 'empty') return 'empty';
    return { driver, sql: auditQuerySql(r, driver), params: params(r) };
  }

  return {
    plan,
    run(q: AuditQuery): AuditRow[] {
      const p = plan(q);
      return p === 'empty' ? [] : prepared(p.sql).all(p.params);
    },
  };
}
