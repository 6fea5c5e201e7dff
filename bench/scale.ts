/**
 * History, audit and start-up at scale (issue 14): seeds a data directory with BENCH_GRANTS grants and
 * BENCH_AUDIT_ROWS audit rows (bench/seed.ts, the daemon's own store and chain code), starts the real daemon
 * (built dist/, child process, free loopback port) on it and prints, for each row of the issue's table, the
 * median and p99 over repeated calls next to the goal. Cold start is spawn → first HTTP answer, empty and
 * seeded, median of BENCH_SPAWNS spawns, also as a ratio of a bare `node -e ""` spawn-to-exit measured in the
 * same run (the machine may be loaded: compare ratios, not milliseconds), and beside the cold-start ceiling: the
 * least a server on the same stack does before its first answer (bench/peers/cold-ceiling.ts, bundled like the
 * daemon). Then two CLI commands, spawn → exit: `mandate status` against the seeded daemon and `mandate --help`.
 * How to read it: bench/README.md.
 *
 *   npm run bench:scale        BENCH_GRANTS=100000 BENCH_AUDIT_ROWS=1000000 BENCH_REPEAT=25 BENCH_SPAWNS=7
 *   BENCH_SEEDED=<home> (with the MANDATE_KEY_DIR it was seeded with) reuses a directory seeded by bench/seed.ts
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { adminPath } from '#shared/admin-contract.js';
import { BUNDLE_OPTIONS, LOADER } from '../scripts/bundle-daemon.js';
import { BIN, residentMbOf, SHIPPED_NODE_ARGS, type SpawnedDaemon, spawnDaemon } from './daemon.js';
import { AGENTS, RESOURCES, seed } from './seed.js';
import { timeSpawns } from './spawn-clock.js';
import { quantile } from './stats.js';
import { atMostVerdict } from './verdict.js';

const GRANTS = Number(process.env.BENCH_GRANTS ?? 100_000);
const AUDIT_ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 25);
const SPAWNS = Number(process.env.BENCH_SPAWNS ?? 7);
const COLD_START_GOAL_MS = 150;

if (!existsSync(BIN) || !existsSync('dist/daemon/mandate.cjs')) {
  console.error('bench:scale runs the built daemon: run `npm run build:daemon` first');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'mandate-scale-'));
/** A directory seeded earlier by bench/seed.ts (with MANDATE_KEY_DIR as then), used as is instead of seeding one. */
const SEEDED = process.env.BENCH_SEEDED;
if (SEEDED && !process.env.MANDATE_KEY_DIR) {
  console.error('BENCH_SEEDED needs the MANDATE_KEY_DIR it was seeded with');
  process.exit(1);
}
const keyRoot = SEEDED ? process.env.MANDATE_KEY_DIR! : join(work, 'keys');
process.env.MANDATE_KEY_DIR = keyRoot; // the seeded trail's key, for every daemon spawned below

const median = (xs: number[]) => quantile(xs, 0.5);
const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(10);

interface Row {
  name: string;
  p50: number;
  p99: number;
  goal: string;
  note?: string;
}
const rows: Row[] = [];

/** Spawns the daemon; resolves with it once it answered its first HTTP request. */
async function startDaemon(home: string): Promise<{ daemon: SpawnedDaemon; url: string }> {
  const daemon = await spawnDaemon({ home });
  await (await fetch(`${daemon.url}/.well-known/oauth-authorization-server`)).arrayBuffer();
  return { daemon, url: daemon.url };
}

/**
 * Bundles bench/peers/cold-ceiling.ts with the daemon bundle's options (into dist/, so better-sqlite3 resolves from
 * this checkout) and writes the launcher that runs it as bin/mandate.js runs the daemon: through the code cache,
 * kept in a directory of its own (a cache directory holds one bundle's caches: making one drops the others').
 */
async function buildColdCeiling(): Promise<string> {
  await build({ ...BUNDLE_OPTIONS, entryPoints: { 'cold-ceiling': 'bench/peers/cold-ceiling.ts' }, outdir: 'dist/bench', sourcemap: false, metafile: false });
  const launcher = 'dist/bench/cold-ceiling-launch.cjs'; // CommonJS, as bin/mandate.js is
  const at = (path: string) => JSON.stringify(resolve(path));
  writeFileSync(
    launcher,
    `require(${at(LOADER)}).runBundle(${at('dist/bench/cold-ceiling.cjs')}, process.argv.slice(2), { ...process.env, MANDATE_CODE_CACHE: ${at('dist/bench/code-cache')} });
`,
  );
  return launcher;
}

const daemonArgs = (home: string) => [...SHIPPED_NODE_ARGS, BIN, 'daemon', '--port', '0', '--home', home, '--json'];

/**
 * Cold starts are timed in the environment the daemon's service files start it in (docs/examples: systemd and launchd
 * give a service their own environment, not a login shell's), which has no NODE_EXTRA_CA_CERTS. Node 20 reads and
 * parses the certificates that variable names at every start, before any JavaScript runs (nodejs/node#40524); where
 * a shell sets it to the system bundle, as this machine's does, that is about 40 ms of every node start, bare node's
 * included. When it is set, the bare and empty starts are timed in this shell's environment too, and printed apart.
 */
const SERVICE_ENV_UNSET = ['NODE_EXTRA_CA_CERTS'];
const shellCaCerts = process.env.NODE_EXTRA_CA_CERTS;

// ---- seed ----
const seeded = SEEDED ?? join(work, 'seeded');
const s = SEEDED ? undefined : seed({ home: seeded, keyRoot, grants: GRANTS, auditRows: AUDIT_ROWS });
console.log(
  `Mandate scale benchmark: ${GRANTS} grants, ${AUDIT_ROWS} audit rows (${s ? `seeded in ${s.seconds.toFixed(1)} s` : `seeded earlier: ${SEEDED}`}), node ${process.version}`,
);

// ---- cold start, timed from a process of its own (bench/spawn-clock.ts says why) ----
const empty = join(work, 'empty');
await (await startDaemon(empty)).daemon.stop(); // first start makes the key and the database: not a cold start
const starts = await timeSpawns<'bare' | 'ceiling' | 'empty' | 'seeded' | 'bareShell' | 'emptyShell'>({
  rounds: SPAWNS,
  targets: [
    { name: 'bare', args: ['-e', ''], until: 'exit', unsetEnv: SERVICE_ENV_UNSET },
    { name: 'ceiling', args: [...SHIPPED_NODE_ARGS, await buildColdCeiling(), join(work, 'ceiling')], until: 'answer', unsetEnv: SERVICE_ENV_UNSET },
    { name: 'empty', args: daemonArgs(empty), until: 'answer', unsetEnv: SERVICE_ENV_UNSET },
    { name: 'seeded', args: daemonArgs(seeded), until: 'answer', unsetEnv: SERVICE_ENV_UNSET },
    ...(shellCaCerts
      ? [
          { name: 'bareShell' as const, args: ['-e', ''], until: 'exit' as const },
          { name: 'emptyShell' as const, args: daemonArgs(empty), until: 'answer' as const },
        ]
      : []),
  ],
});
const { bare, ceiling, empty: coldEmpty, seeded: coldSeeded } = starts;
const { bareShell, emptyShell } = starts as Partial<typeof starts>; // timed only when this shell sets the variable

// ---- history and audit through the running daemon ----
const d = await startDaemon(seeded);
const { headers } = d.daemon.admin;

async function timeCalls(path: string, repeat = REPEAT, warmUp = 2): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < repeat + warmUp; i++) {
    const t0 = performance.now();
    const res = await fetch(d.url + path, { headers });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    if (i >= warmUp) times.push(performance.now() - t0); // warm-up calls prepare the statements
  }
  return times;
}

const grantsAll = await timeCalls(`${adminPath('grants.list')}?all=true&limit=200`);
rows.push({ name: 'GET grants?all=true&limit=200', p50: median(grantsAll), p99: quantile(grantsAll, 0.99), goal: '≤ 20 ms' });

const now = Math.floor(Date.now() / 1000);
const day = 86400;
const hit = {
  agent: AGENTS[3]!,
  resource: RESOURCES[0]!,
  outcome: 'refused',
  type: 'token.issued',
  since: now - day,
  until: now - 170 * day,
  before_id: Math.floor(AUDIT_ROWS / 2),
};
const miss = { agent: 'nobody', resource: 'https://nowhere.example/', outcome: 'ok', type: 'no.such.type', since: now + day, until: 1, before_id: 1 };
type Filter = keyof typeof hit;
const FILTERS = Object.keys(hit) as Filter[];

const auditPath = (q: Partial<Record<Filter, string | number>>) =>
  `${adminPath('audit.list')}?${new URLSearchParams({ limit: '200', ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) })}`;

const named: [string, Partial<Record<Filter, string | number>>][] = [
  ['audit: no filter', {}],
  ['audit: agent', { agent: hit.agent }],
  ['audit: type (common)', { type: hit.type }],
  ['audit: outcome=refused', { outcome: hit.outcome }],
  ['audit: resource + type', { resource: hit.resource, type: hit.type }],
  ['audit: since last day', { since: hit.since }],
  ['audit: until 170 days ago', { until: hit.until }],
  ['audit: agent matching nothing', { agent: miss.agent }],
  ['audit: type + outcome matching nothing', { type: hit.type, outcome: 'refused' }],
  ['audit: since in the future (nothing)', { since: miss.since }],
  ['audit: all seven, matching nothing', { ...hit, type: miss.type }],
];
for (const [name, q] of named) {
  const t = await timeCalls(auditPath(q));
  rows.push({ name, p50: median(t), p99: quantile(t, 0.99), goal: '≤ 50 ms' });
}

// Every combination of the seven filters, each with matching values and with the last one matching nothing.
const combos: { q: Partial<Record<Filter, string | number>>; p50: number }[] = [];
for (let mask = 1; mask < 1 << FILTERS.length; mask++) {
  const used = FILTERS.filter((_, i) => mask & (1 << i));
  for (const last of [hit, miss]) {
    const q = Object.fromEntries(used.map((f, i) => [f, (i === used.length - 1 ? last : hit)[f]]));
    combos.push({ q, p50: median(await timeCalls(auditPath(q), 3, 1)) }); // median of 3: one call alone is at the mercy of the load
  }
}
combos.sort((a, b) => b.p50 - a.p50);
const over = combos.filter((c) => c.p50 > 50).length;
rows.push({
  name: `audit: all ${combos.length} combinations (worst)`,
  p50: combos[0]!.p50,
  p99: quantile(
    combos.map((c) => c.p50),
    0.99,
  ),
  goal: '≤ 50 ms',
  note: `${over} over 50 ms; worst: ${JSON.stringify(combos[0]!.q)}`,
});

// ---- audit verify ----
const verifyTimes: number[] = [];
for (const mode of ['full=true', '', '']) {
  const t0 = performance.now();
  const res = await fetch(`${d.url}${adminPath('audit.verify')}${mode ? `?${mode}` : ''}`, { headers });
  const body = (await res.json()) as { ok: boolean; rows: number };
  if (!body.ok) throw new Error(`audit verify failed: ${JSON.stringify(body)}`);
  verifyTimes.push(performance.now() - t0);
}
rows.push({ name: 'audit verify, full walk', p50: verifyTimes[0]!, p99: verifyTimes[0]!, goal: '≤ 2 s or incremental' });
rows.push({ name: 'audit verify, from verified checkpoint', p50: median(verifyTimes.slice(1)), p99: Math.max(...verifyTimes.slice(1)), goal: '≤ 2 s' });

// ---- the CLI: one command, spawn → exit (the seeded daemon answering), from the same kind of clock ----
const cli = await timeSpawns({
  rounds: SPAWNS,
  targets: [
    { name: 'status', args: [BIN, 'status', '--home', seeded, '--port', new URL(d.url).port], until: 'exit' },
    { name: 'help', args: [BIN, '--help'], until: 'exit' },
  ],
});
const { status: cliStatus, help: cliHelp } = cli;
// ---- memory: the daemon's resident set after all of the above (staying flat over time is bench/soak.ts's row) ----
const memory = residentMbOf(d.daemon.pid);
await d.daemon.stop();

const bareMs = median(bare);
rows.push({ name: 'baseline: bare `node -e ""` spawn → exit', p50: bareMs, p99: quantile(bare, 0.99), goal: '—' });
const ceilingMs = median(ceiling);
rows.push({
  name: 'ceiling: Hono + SQLite open, bundled',
  p50: ceilingMs,
  p99: quantile(ceiling, 0.99),
  goal: '—',
  note: `${(ceilingMs / bareMs).toFixed(2)} × bare node`,
});
for (const [name, t] of [
  ['cold start, empty (spawn → first answer)', coldEmpty],
  [`cold start, ${AUDIT_ROWS} audit rows`, coldSeeded],
] as const) {
  const verdict = atMostVerdict('cold start', COLD_START_GOAL_MS, 'ms', median(t), [{ label: 'the ceiling', value: ceilingMs }]);
  const note = `${(median(t) / bareMs).toFixed(2)} × bare node, ${(median(t) / ceilingMs).toFixed(2)} × the ceiling; ${verdict}`;
  rows.push({ name, p50: median(t), p99: quantile(t, 0.99), goal: `≤ ${COLD_START_GOAL_MS} ms`, note });
}
if (bareShell && emptyShell) {
  // the same starts with this shell's NODE_EXTRA_CA_CERTS: not the service's environment, so no verdict (see above)
  const shellBareMs = median(bareShell);
  rows.push({
    name: '  with NODE_EXTRA_CA_CERTS: bare node',
    p50: shellBareMs,
    p99: quantile(bareShell, 0.99),
    goal: '—',
    note: `this shell's ${shellCaCerts}`,
  });
  rows.push({
    name: '  with NODE_EXTRA_CA_CERTS: cold start, empty',
    p50: median(emptyShell),
    p99: quantile(emptyShell, 0.99),
    goal: '—',
    note: `${(median(emptyShell) / shellBareMs).toFixed(2)} × bare node in it; NODE_EXTRA_CA_CERTS costs every node start ${(shellBareMs - bareMs).toFixed(1)} ms here`,
  });
}
// the CLI runs in a person's shell, so in this shell's environment, and is set beside bare node in the same one
const cliBareMs = bareShell ? median(bareShell) : bareMs;
for (const [name, t] of [
  ['CLI: `mandate status` (spawn → exit)', cliStatus],
  ['CLI: `mandate --help` (spawn → exit)', cliHelp],
] as const) {
  rows.push({ name, p50: median(t), p99: quantile(t, 0.99), goal: '—', note: `${(median(t) / cliBareMs).toFixed(2)} × bare node` });
}

console.log(`${'row'.padEnd(48)} ${'p50'.padStart(10)} ${'p99'.padStart(10)}   goal`);
for (const r of rows) console.log(`${r.name.padEnd(48)} ${ms(r.p50)} ${ms(r.p99)}   ${r.goal}${r.note ? `   (${r.note})` : ''}`);
if (memory !== undefined) {
  const mb = (x: number) => `${x.toFixed(1)} MB`;
  console.log(
    `${'RSS after the scale run'.padEnd(48)} ${mb(memory.rss).padStart(10)} ${''.padStart(10)}   ≤ 100 MB   (anonymous ${mb(memory.anon)}, file-backed ${mb(memory.file)}; flat over time: npm run bench:soak)`,
  );
}

rmSync(work, { recursive: true, force: true });
