/**
 * What the audit filter indexes cost on the write path (issue 14): the same audit rows inserted into two
 * databases side by side in this run, one with the schema up to migration 009 (filter indexes `(column, id)`)
 * and one with every migration (010: each filter index also carries the other filter columns). Both are
 * pre-filled with BENCH_PREFILL rows so the index b-trees have some depth, then timed in alternating rounds
 * (ABBA) of BENCH_WRITE_ROWS rows each, two ways:
 *
 *   batched  BENCH_WRITE_ROWS rows in one transaction: the CPU cost of the row and its index entries
 *   durable  one transaction per row with synchronous=FULL, as the daemon writes (fsync included)
 *
 * Prints µs per row for each schema (median of the rounds) and the ratio 010 / 009 (median of the per-round
 * ratios, with their middle half: the spread says how much of the ratio is the machine's noise).
 *
 *   node --conditions=mandate-source --import tsx bench/audit-write.ts
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_COLUMNS, type AuditRow } from '../daemon/src/store/audit.repo.js';
import { MIGRATIONS } from '../daemon/src/store/migrate.js';
import { prng } from '../daemon/test/prng.js';
import { middleValue, quartiles } from './stats.js';

const PREFILL = Number(process.env.BENCH_PREFILL ?? 100_000);
const ROWS = Number(process.env.BENCH_WRITE_ROWS ?? 2_000);
const DURABLE_ROWS = Number(process.env.BENCH_DURABLE_ROWS ?? 200);
const ROUNDS = Number(process.env.BENCH_WRITE_ROUNDS ?? 8);

const TYPES = ['token.issued', 'request.created', 'grant.approved', 'token.refused', 'tool.called', 'token.introspected_inactive'];
const RESOURCES = ['https://mail.example/', 'https://calendar.example/', 'https://drive.example/', 'https://crm.example/'];

const work = mkdtempSync(join(tmpdir(), 'mandate-audit-write-'));

function open(name: string, migrations: number) {
  const db = new BetterSqlite3(join(work, `${name}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  for (const m of MIGRATIONS.slice(0, migrations)) db.exec(m);
  // The daemon's own INSERT (store/audit.repo.ts); its repo is not used because its planner needs 010's indexes.
  const insert = db.prepare<AuditRow>(
    `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (@id, @ts, @type, @person, @agent, @resource, @scopes, @grant_id, @decision, @outcome, @detail, @prev_hash, @hash)`,
  );
  const rand = prng(0xa0d17);
  let id = 0;
  const row = (): AuditRow => {
    id++;
    const type = TYPES[Math.floor(rand() * TYPES.length)]!;
    return {
      id,
      ts: 1_700_000_000 + id,
      type,
      person: 'user:bench@host',
      agent: `agent-${Math.floor(rand() * 24)}`,
      resource: RESOURCES[Math.floor(rand() * RESOURCES.length)]!,
      scopes: 'read write',
      grant_id: `grant-${Math.floor(rand() * 100_000).toString(36)}`,
      decision: null,
      outcome: type.endsWith('refused') ? 'refused' : 'ok',
      detail: `{"jti":"jti-${id.toString(36)}","via":"token-exchange"}`,
      prev_hash: 'p'.repeat(64),
      hash: 'h'.repeat(64),
    };
  };
  const batch = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(row());
  });
  const one = db.transaction(() => insert.run(row()));
  return { name, db, batch, one };
}
type Side = ReturnType<typeof open>;

const before = open('009', 9);
const after = open('010', MIGRATIONS.length);
for (const s of [before, after]) {
  s.db.pragma('synchronous = OFF');
  for (let done = 0; done < PREFILL; done += 10_000) s.batch(Math.min(10_000, PREFILL - done));
  s.db.pragma('synchronous = FULL');
}

/** µs per row of `f` run over `n` rows: wall-clock, and this process's CPU (fsync waits are not CPU). */
function time(n: number, f: () => void): { wall: number; cpu: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return { wall: ((performance.now() - t0) * 1000) / n, cpu: (c.user + c.system) / n };
}
/** The middle half of the per-round ratios. */
const middleHalf = (xs: number[]) => {
  const [lo, hi] = quartiles(xs);
  return `${lo.toFixed(2)}–${hi.toFixed(2)}×`;
};

type Figures = Record<'009' | '010' | 'ratio', number[]>;
const empty = (): Figures => ({ '009': [], '010': [], ratio: [] });
const figures = { batched: { wall: empty(), cpu: empty() }, durable: { wall: empty(), cpu: empty() } };
for (let r = 0; r < ROUNDS; r++) {
  const order: Side[] = r % 2 ? [after, before] : [before, after];
  for (const mode of ['batched', 'durable'] as const) {
    const t: Record<string, { wall: number; cpu: number }> = {};
    for (const s of order) {
      t[s.name] =
        mode === 'batched'
          ? time(ROWS, () => s.batch(ROWS))
          : time(DURABLE_ROWS, () => {
              for (let i = 0; i < DURABLE_ROWS; i++) s.one();
            });
    }
    for (const k of ['wall', 'cpu'] as const) {
      const f = figures[mode][k];
      f['009'].push(t['009']![k]);
      f['010'].push(t['010']![k]);
      f.ratio.push(t['010']![k] / t['009']![k]);
    }
  }
}
before.db.close();
after.db.close();
rmSync(work, { recursive: true, force: true });

console.log(`audit row inserts, migration 009 vs 010 indexes: ${PREFILL} rows pre-filled, ${ROUNDS} alternating rounds, node ${process.version}`);
for (const mode of ['batched', 'durable'] as const) {
  const label = mode === 'batched' ? `batched (${ROWS} rows per transaction)` : 'durable (one transaction per row, FULL)';
  for (const k of ['wall', 'cpu'] as const) {
    const f = figures[mode][k];
    console.log(
      `${`${label}, ${k}`.padEnd(46)} 009 ${middleValue(f['009']).toFixed(1).padStart(7)} µs/row   010 ${middleValue(f['010']).toFixed(1).padStart(7)} µs/row   ratio ${middleValue(f.ratio).toFixed(2)}× (middle half ${middleHalf(f.ratio)})`,
    );
  }
}
