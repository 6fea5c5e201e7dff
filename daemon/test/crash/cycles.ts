/**
 * Crash consistency at scale: the real daemon binary is SIGKILLed at random points while approvals, revocations,
 * token exchanges and audit exports are in flight, then restarted and checked against what it had acknowledged.
 * Torn-write cycles also cut the `-wal` file at a random offset before restarting (a disk that lost its tail):
 * then only what was checkpointed into the main file is owed, and that is read by starting a daemon on a copy
 * of the data directory without its WAL. A kill that fell inside a checkpoint leaves the WAL whole (tornCycle).
 */
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN } from '#shared/oauth.js';
import { DB_FILE } from '../../src/config.js';
import { prng } from '../prng.js';
import { Api, HttpError, freePort, spawnDaemon, type Child } from './child.js';

type Client = { client_id: string; client_secret: string };
const MAIL = 'https://mail.example/';

interface Ledger {
  agent: Client;
  rs: Client;
  /** Grants whose approval the daemon acknowledged. */
  approved: Set<string>;
  /** Grants a revocation was sent for (acknowledged or cut off by the kill). */
  revokeSent: Set<string>;
  /** Grants whose revocation the daemon acknowledged. */
  revoked: Set<string>;
  /** Latest acknowledged token per grant. */
  tokens: Map<string, string>;
  /** Audit rows seen in an acknowledged export: id → hash. */
  audit: Map<number, string>;
  /** Grants acknowledged since the last check (all of these are checked; older ones by sample). */
  fresh: Set<string>;
}

export interface CycleStats {
  cycles: number;
  kills: { duringStartup: number; duringTraffic: number };
  torn: number;
  acknowledged: { approvals: number; revocations: number; exchanges: number; exports: number };
  checked: { grants: number; auditRows: number; revokedTokens: number; liveTokens: number };
  /** Torn cycles: what verify said, and whether the daemon started. */
  tornOutcomes: Record<string, number>;
  failures: string[];
}

/** A grant's lifecycle: which states a state can move to (directly). */
const NEXT: Record<string, readonly string[]> = {
  pending: ['approved', 'denied', 'expired'],
  approved: ['revoked', 'expired', 'ended'],
};

/** Whether a grant checkpointed in `from` may legitimately read `to` later (itself or a successor). */
export function reachable(from: string, to: string): boolean {
  return from === to || (NEXT[from] ?? []).some((n) => reachable(n, to));
}

const pick = <T>(rand: () => number, xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rand() * xs.length)] : undefined);

async function start(home: string, port: number): Promise<Child> {
  return spawnDaemon(home, port).ready;
}

async function kill(c: { proc: Child['proc']; exited: Promise<number | null> }): Promise<void> {
  c.proc.kill('SIGKILL');
  await c.exited;
}

async function register(api: Api): Promise<{ agent: Client; rs: Client }> {
  const mk = (kind: 'agent' | 'resource_server') =>
    api.json<Client>(
      api.admin('POST', '/agents', { name: `Crash ${kind}`, kind, scopes: kind === 'agent' ? ['mail.read', 'mail.send'] : [], resources: [MAIL] }),
      'register',
    );
  return { agent: await mk('agent'), rs: await mk('resource_server') };
}

const newLedger = (c: { agent: Client; rs: Client }): Ledger => ({
  ...c,
  approved: new Set(),
  revokeSent: new Set(),
  revoked: new Set(),
  tokens: new Map(),
  audit: new Map(),
  fresh: new Set(),
});

/** Random traffic until the daemon dies; returns when every worker has seen it go. */
async function traffic(api: Api, l: Ledger, rand: () => number, stats: CycleStats, stop: { dead: boolean }): Promise<void> {
  const op = async () => {
    const r = rand();
    if (r < 0.4) {
      const { auth_req_id } = await api.json<{ auth_req_id: string }>(
        api.form('/bc-authorize', { scope: 'mail.read mail.send', resource: MAIL, binding_message: 'Crash test', requested_expiry: '3600' }, l.agent),
        'bc-authorize',
      );
      const g = await api.json<{ id: string }>(api.admin('POST', `/requests/${encodeURIComponent(auth_req_id)}/approve`, {}), 'approve');
      l.approved.add(g.id);
      l.fresh.add(g.id);
      stats.acknowledged.approvals++;
      const res = await api.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id }, l.agent);
      const body = await res.text();
      // another worker may have revoked the grant between approval and first token
      if (res.status !== 200 && l.revokeSent.has(g.id)) return;
      if (res.status !== 200) throw new HttpError(`token: ${res.status} ${body.slice(0, 300)}`, res.status);
      l.tokens.set(g.id, (JSON.parse(body) as { access_token: string }).access_token);
    } else if (r < 0.65) {
      const id = pick(
        rand,
        [...l.fresh].filter((g) => l.approved.has(g) && !l.revokeSent.has(g)),
      );
      if (!id) return;
      l.revokeSent.add(id);
      await api.json(api.admin('POST', `/grants/${encodeURIComponent(id)}/revoke`, {}), 'revoke');
      l.revoked.add(id);
      stats.acknowledged.revocations++;
    } else if (r < 0.85) {
      const id = pick(
        rand,
        [...l.fresh].filter((g) => l.tokens.has(g) && !l.revokeSent.has(g)),
      );
      if (!id) return;
      const res = await api.form(
        '/token',
        { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: l.tokens.get(id)!, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN },
        l.agent,
      );
      if (res.status !== 200) return void (await res.text());
      l.tokens.set(id, ((await res.json()) as { access_token: string }).access_token);
      stats.acknowledged.exchanges++;
    } else {
      const { events } = await api.json<{ events: { id: number; hash: string }[] }>(api.admin('GET', '/audit?limit=50'), 'audit export');
      for (const e of events) l.audit.set(e.id, e.hash);
      stats.acknowledged.exports++;
    }
  };
  const worker = async () => {
    while (!stop.dead) {
      try {
        await op();
      } catch (e) {
        if (stop.dead || !(e instanceof HttpError)) return; // the connection died with the daemon
        throw e;
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

/** After a plain kill: everything acknowledged is there, revoked stays revoked, the chain verifies. */
async function checkAcknowledged(api: Api, l: Ledger, rand: () => number, stats: CycleStats): Promise<string[]> {
  const problems: string[] = [];
  const older = [...l.approved].filter((g) => !l.fresh.has(g));
  const sample = new Set([...l.fresh, ...Array.from({ length: Math.min(20, older.length) }, () => pick(rand, older)!)]);
  for (const id of sample) {
    const res = await api.admin('GET', `/grants/${encodeURIComponent(id)}`);
    const g = (await res.json()) as { status?: string };
    stats.checked.grants++;
    if (res.status !== 200) problems.push(`acknowledged grant ${id} is gone (${res.status})`);
    else if (l.revoked.has(id) && g.status !== 'revoked') problems.push(`grant ${id} was revoked (acknowledged) but is ${g.status} after restart`);
    else if (!l.revokeSent.has(id) && g.status !== 'approved' && g.status !== 'expired') problems.push(`approved grant ${id} is ${g.status} after restart`);
  }
  // the latest acknowledged token (first token or exchange) of each live grant still works
  for (const id of [...l.fresh].filter((g) => l.tokens.has(g) && !l.revokeSent.has(g))) {
    const intro = (await (await api.form('/introspect', { token: l.tokens.get(id)! }, l.rs)).json()) as { active?: boolean };
    stats.checked.liveTokens++;
    if (intro.active !== true) problems.push(`acknowledged token of live grant ${id} introspects ${JSON.stringify(intro)} after restart`);
  }
  for (const id of [...l.revoked].filter((g) => sample.has(g) && l.tokens.has(g))) {
    const token = l.tokens.get(id)!;
    const intro = (await (await api.form('/introspect', { token }, l.rs)).json()) as { active?: boolean };
    const ex = await api.form('/token', { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN }, l.agent);
    await ex.text();
    stats.checked.revokedTokens++;
    if (intro.active !== false) problems.push(`token of revoked grant ${id} introspects ${JSON.stringify(intro)}`);
    if (ex.status === 200) problems.push(`token of revoked grant ${id} was exchanged after restart`);
  }
  const ids = [...l.audit.keys()];
  const auditSample = new Set([Math.max(0, ...ids), ...Array.from({ length: Math.min(10, ids.length) }, () => pick(rand, ids)!)].filter((i) => i > 0));
  for (const id of auditSample) {
    const { events } = await api.json<{ events: { id: number; hash: string }[] }>(api.admin('GET', `/audit?before_id=${id + 1}&limit=1`), 'audit row');
    stats.checked.auditRows++;
    if (events[0]?.id !== id || events[0].hash !== l.audit.get(id))
      problems.push(`exported audit row ${id} changed or vanished: ${JSON.stringify(events[0] ?? null)}`);
  }
  const v = await api.json<{ ok: boolean; first_broken: unknown }>(api.admin('GET', '/audit/verify'), 'audit verify');
  if (!v.ok) problems.push(`audit chain does not verify after a kill: ${JSON.stringify(v)}`);
  l.fresh.clear();
  return problems;
}

interface View {
  grants: Map<string, string>;
  audit: Map<number, string>;
}

async function view(api: Api, grantIds: Iterable<string>): Promise<View> {
  const grants = new Map<string, string>();
  for (const id of grantIds) {
    const res = await api.admin('GET', `/grants/${encodeURIComponent(id)}`);
    const g = (await res.json()) as { status?: string };
    if (res.status === 200 && g.status) grants.set(id, g.status);
  }
  const { events } = await api.json<{ events: { id: number; hash: string }[] }>(api.admin('GET', '/audit?limit=10000'), 'audit');
  return { grants, audit: new Map(events.map((e) => [e.id, e.hash])) };
}

/** One torn-write cycle in a fresh data directory. */
async function tornCycle(rand: () => number, stats: CycleStats): Promise<string[]> {
  const home = mkdtempSync(join(tmpdir(), 'mandate-torn-'));
  const copy = mkdtempSync(join(tmpdir(), 'mandate-torn-base-'));
  try {
    const port = await freePort();
    let d = await start(home, port);
    const l = newLedger(await register(new Api(d)));
    // a restart in between so some state is checkpointed into the main file and some is only in the WAL
    for (let round = 0; round < 2; round++) {
      const stop = { dead: false };
      const run = traffic(new Api(d), l, rand, stats, stop).catch((e: Error) => void stats.failures.push(`torn traffic: ${e.message}`));
      await new Promise((r) => setTimeout(r, 50 + rand() * 300));
      stop.dead = true;
      await kill(d);
      await run;
      if (round === 0) d = await start(home, port);
    }
    const wal = join(home, `${DB_FILE}-wal`);
    // A kill inside a checkpoint: SQLite had begun copying the WAL into the main file, and the daemon had not yet
    // started the WAL over (store/db.ts, walCheckpointer), so the main file is newer than the WAL's last write. Losing
    // a tail of that WAL replays older pages over newer ones in any WAL-mode store, so this cycle leaves it whole.
    // (In WAL mode only a checkpoint writes the main file; coarse file times make an equal time count as inside.)
    const insideCheckpoint = existsSync(wal) && statSync(join(home, DB_FILE)).mtimeMs >= statSync(wal).mtimeMs;
    // what is owed: the main file alone (the last checkpoint), read by a daemon started on a copy without the WAL
    cpSync(home, copy, { recursive: true });
    for (const f of [`${DB_FILE}-wal`, `${DB_FILE}-shm`, 'daemon.json']) rmSync(join(copy, f), { force: true });
    const b = await start(copy, 0);
    const baseline = await view(new Api(b), l.approved);
    b.proc.kill('SIGTERM');
    await b.exited;

    const walSize = existsSync(wal) ? statSync(wal).size : 0;
    const drawn = Math.floor(rand() * walSize); // drawn either way, so a seed gives the same later cycles
    const cut = insideCheckpoint ? walSize : drawn;
    if (walSize && !insideCheckpoint) truncateSync(wal, cut);
    stats.torn++;
    let after: Child;
    try {
      after = await start(home, port);
    } catch (e) {
      const msg = (e as Error).message;
      stats.tornOutcomes['refused to start'] = (stats.tornOutcomes['refused to start'] ?? 0) + 1;
      return /exited \(\d+\) before it was ready: \S/.test(msg) ? [] : [`after a torn WAL the daemon failed without a clear message: ${msg}`];
    }
    const problems: string[] = [];
    try {
      const api = new Api(after);
      const now = await view(api, l.approved);
      for (const [id, status] of baseline.grants) {
        const s = now.grants.get(id);
        stats.checked.grants++;
        if (s === undefined) problems.push(`checkpointed grant ${id} (${status}) lost after a torn WAL (cut at ${cut} of ${walSize})`);
        // the cut may keep later commits (the tear fell after their frames), so a grant may move forward from the
        // checkpointed state, never backward or sideways
        else if (!reachable(status, s)) problems.push(`checkpointed grant ${id} went from ${status} to ${s} after a torn WAL`);
      }
      for (const [id, hash] of baseline.audit) {
        // owed: rows the daemon acknowledged (exported) that reached the main file; the baseline daemon's own
        // start-up rows (credential rotation) are not
        if (l.audit.get(id) !== hash) continue;
        stats.checked.auditRows++;
        if (now.audit.get(id) !== hash) problems.push(`checkpointed audit row ${id} lost or changed after a torn WAL`);
      }
      const v = await api.json<{ ok: boolean; rows: number; first_broken: { id: number; reason: string } | null }>(api.admin('GET', '/audit/verify'), 'verify');
      const outcome = v.ok ? 'verify ok' : `verify broken`;
      stats.tornOutcomes[outcome] = (stats.tornOutcomes[outcome] ?? 0) + 1;
      if (!v.ok && !(v.first_broken && Number.isInteger(v.first_broken.id) && v.first_broken.reason.trim())) {
        problems.push(`verify says broken without saying where: ${JSON.stringify(v)}`);
      }
      const how = insideCheckpoint
        ? 'killed inside a checkpoint: WAL left whole'
        : walSize === 0
          ? 'no WAL to cut'
          : cut === 0
            ? 'WAL cut to 0'
            : 'WAL cut mid-file';
      stats.tornOutcomes[how] = (stats.tornOutcomes[how] ?? 0) + 1;
    } finally {
      await kill(after);
    }
    return problems;
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
  }
}

export interface CrashOptions {
  cycles: number;
  seed: number;
  /** Every n-th cycle is a torn-write cycle (0: never). */
  tornEvery: number;
  onCycle?: (i: number, s: CycleStats) => void;
  /** Shortest time traffic runs before the kill (default 100 ms)… */
  minTrafficMs?: number;
  /** …and how much later, at random, the kill may come (default 900 ms). */
  spreadMs?: number;
  /** Runs on the data directory while the daemon is dead (tests use it to damage the store on purpose). */
  afterKill?: (home: string) => void;
}

export async function runCrashCycles(opts: CrashOptions): Promise<CycleStats> {
  const rand = prng(opts.seed);
  const stats: CycleStats = {
    cycles: 0,
    kills: { duringStartup: 0, duringTraffic: 0 },
    torn: 0,
    acknowledged: { approvals: 0, revocations: 0, exchanges: 0, exports: 0 },
    checked: { grants: 0, auditRows: 0, revokedTokens: 0, liveTokens: 0 },
    tornOutcomes: {},
    failures: [],
  };
  const home = mkdtempSync(join(tmpdir(), 'mandate-crash-'));
  try {
    const port = await freePort();
    let d = await start(home, port);
    const l = newLedger(await register(new Api(d)));
    for (let i = 1; i <= opts.cycles; i++) {
      stats.cycles++;
      if (opts.tornEvery > 0 && i % opts.tornEvery === 0) {
        stats.failures.push(...(await tornCycle(rand, stats)).map((p) => `cycle ${i} (torn): ${p}`));
        opts.onCycle?.(i, stats);
        continue;
      }
      const stop = { dead: false };
      const run = traffic(new Api(d), l, rand, stats, stop).catch((e: Error) => void stats.failures.push(`cycle ${i} traffic: ${e.message}`));
      await new Promise((r) => setTimeout(r, (opts.minTrafficMs ?? 100) + rand() * (opts.spreadMs ?? 900)));
      stop.dead = true;
      await kill(d);
      await run;
      stats.kills.duringTraffic++;
      opts.afterKill?.(home);
      if (rand() < 0.1) {
        // killed again while starting up (migrations, key load, credential rotation)
        const s = spawnDaemon(home, port);
        s.ready.catch(() => undefined);
        await new Promise((r) => setTimeout(r, rand() * 150));
        s.proc.kill('SIGKILL');
        await s.exited;
        stats.kills.duringStartup++;
      }
      try {
        d = await start(home, port);
      } catch (e) {
        stats.failures.push(`cycle ${i}: the daemon did not come back after a kill: ${(e as Error).message}`);
        break;
      }
      stats.failures.push(...(await checkAcknowledged(new Api(d), l, rand, stats)).map((p) => `cycle ${i}: ${p}`));
      opts.onCycle?.(i, stats);
    }
    await kill(d).catch(() => undefined);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return stats;
}
