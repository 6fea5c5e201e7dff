/**
 * Tool-call reporting against a real tool call (issue 10: "reporting overhead ≤ 5 % of the tool-call rate").
 *
 * Two resource servers (bench/peers/kit-tool-server.ts), each in its own process, serve the same tool behind the
 * kit's Hono middleware: one with reporting off, one with it on (each allowed call queued and batched to the
 * daemon, which runs in a third process). Both are pinned to the same CPU (taskset, BENCH_RS_CPU; empty: not
 * pinned) and driven at the same time by autocannon over keep-alive HTTP, so load from elsewhere on the machine
 * falls on both alike; each round gives one ratio, the figure is the median. What is compared is the
 * resource-server process's CPU per served call (process.cpuUsage() read over its /stats endpoint), counted from
 * the start of a window until its reports are all acknowledged, so sending a window's reports is charged to it.
 * Throughput is printed too, but on a shared machine it scatters more. Then, without scheduling noise, the
 * reporter's own CPU per call (record + send, in this process) against the CPU of a served call; then the daemon's
 * ingest capacity: BENCH_INGEST_CALLS reports queued at once and flushed, acknowledgements/s and the daemon's CPU per
 * acknowledged report; BENCH_BASELINE_BIN=<other build>/bin/mandate.js adds a before/after row.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createReporter } from '../kits/resource-server/index.js';
import { type SpawnedServer, benchKeyDir, cpuSecondsOf, spawnDaemon, spawnServer, stop } from './daemon.js';
import { basic, drive } from './hot-paths.js';
import { median, quartiles } from './stats.js';

benchKeyDir();
const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const CONNECTIONS = num('BENCH_RS_CONNECTIONS', 8);
const CALLS = num('BENCH_RS_CALLS', 3000);
const ROUNDS = num('BENCH_RS_ROUNDS', 16);
const DIRECT = num('BENCH_DIRECT_CALLS', 20_000);
const WARMUP = num('BENCH_RS_WARMUP', 2000);
const INGEST = num('BENCH_INGEST_CALLS', 20_000);
const INGEST_ROUNDS = num('BENCH_INGEST_ROUNDS', 3);
const INGEST_PAIRS = num('BENCH_INGEST_PAIRS', 4);
const MAIL = 'https://mail.example/';
/** Both resource servers on this one CPU (taskset), so they run under the same conditions; empty: not pinned. */
const PIN = (process.env.BENCH_RS_CPU ?? (process.platform === 'linux' && availableParallelism() > 1 ? String(availableParallelism() - 1) : '')) || undefined;

// ---- a daemon, an agent with one approved grant, and a resource server registration
async function startWorld(bin: string) {
  const daemon = await spawnDaemon({ bin });
  const adminToken = daemon.admin.credential;
  async function call(path: string, auth: string, type: string, body: string): Promise<Record<string, string>> {
    const res = await fetch(daemon.url + path, { method: 'POST', headers: { authorization: auth, 'content-type': type }, body });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  }
  const admin = (path: string, body: unknown) => call(`/admin${path}`, `Bearer ${adminToken}`, 'application/json', JSON.stringify(body));
  const form = (path: string, auth: string, params: Record<string, string>) =>
    call(path, auth, 'application/x-www-form-urlencoded', new URLSearchParams(params).toString());
  const agent = await admin('/agents', { name: 'Bench agent', scopes: ['mail.read'], resources: [MAIL] });
  const rs = await admin('/agents', { name: 'Bench API', kind: 'resource_server', resources: [MAIL] });
  const agentAuth = basic(agent.client_id!, agent.client_secret!);
  const bc = await form('/bc-authorize', agentAuth, { scope: 'mail.read', resource: MAIL, requested_expiry: '3600' });
  const grant = await admin(`/requests/${bc.auth_req_id}/approve`, {});
  const { access_token: token } = await form('/token', agentAuth, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: bc.auth_req_id! });
  return {
    url: daemon.url,
    rs: { clientId: rs.client_id!, clientSecret: rs.client_secret! },
    grantId: grant.id!,
    token: token!,
    /** CPU seconds the daemon process has used so far (Linux /proc; undefined elsewhere). */
    cpu: () => cpuSecondsOf(daemon.pid),
    stop: () => daemon.stop(),
  };
}
const world = await startWorld('bin/mandate.js');
const { token } = world;
const daemonCpu = () => world.cpu();

// ---- the two resource servers
const kitEnv = { BENCH_ISSUER: world.url, BENCH_AUDIENCE: MAIL, BENCH_CLIENT_ID: world.rs.clientId, BENCH_CLIENT_SECRET: world.rs.clientSecret };
const peer = ['--conditions=mandate-source', '--import', 'tsx', 'bench/peers/kit-tool-server.ts'];
const off = await spawnServer(peer, { env: { ...kitEnv, BENCH_REPORTING: 'off' }, ...(PIN ? { cpus: PIN } : {}) });
const on = await spawnServer(peer, { env: { ...kitEnv, BENCH_REPORTING: 'on' }, ...(PIN ? { cpus: PIN } : {}) });

interface Stats {
  cpu: number;
  served: number;
  pending: number;
}
const stats = async (s: SpawnedServer): Promise<Stats> => (await fetch(`${s.url}/stats`)).json() as Promise<Stats>;

async function callTool(s: SpawnedServer, amount: number): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  await drive({ url: `${s.url}/tools/list_mail`, method: 'POST', headers, body: '{"folder":"inbox"}' }, { connections: CONNECTIONS, amount }, s.url);
}

/** Waits until the server's reports are all acknowledged (polling /stats; immediate with reporting off). */
async function drained(s: SpawnedServer): Promise<Stats> {
  for (let i = 0; i < 1200; i++) {
    const st = await stats(s);
    if (st.pending === 0) return st;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${s.url}: reports were not acknowledged within 30 s`);
}

interface Window {
  rate: number;
  cpuPerCall: number;
  /** Reports not yet acknowledged when the window's last call was answered, and ms until they all were. */
  backlog: number;
  drainMs: number;
}
const daemonWork = { seconds: 0, calls: 0 };
async function window(s: SpawnedServer): Promise<Window> {
  const s0 = await drained(s);
  const d0 = daemonCpu();
  const t0 = performance.now();
  await callTool(s, CALLS);
  const wall = (performance.now() - t0) / 1000;
  const s1 = await stats(s);
  const t1 = performance.now();
  const s2 = await drained(s);
  const drainMs = performance.now() - t1;
  const d1 = daemonCpu();
  const served = s1.served - s0.served;
  if (s === on && d0 !== undefined && d1 !== undefined) {
    daemonWork.seconds += d1 - d0;
    daemonWork.calls += served;
  }
  return { rate: served / wall, cpuPerCall: (s2.cpu - s0.cpu) / served, backlog: s1.pending, drainMs };
}

await callTool(off, WARMUP);
await callTool(on, WARMUP);
await drained(on);
const sides = new Map<SpawnedServer, Window[]>([
  [off, []],
  [on, []],
]);
const overheads: number[] = [];
const rateRatios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const got = new Map<SpawnedServer, Window>();
  const [a, b] = round % 2 === 0 ? [off, on] : [on, off];
  const [wa, wb] = await Promise.all([window(a), window(b)]);
  for (const [s, w] of [
    [a, wa],
    [b, wb],
  ] as const) {
    sides.get(s)!.push(w);
    got.set(s, w);
  }
  overheads.push(got.get(on)!.cpuPerCall / got.get(off)!.cpuPerCall - 1);
  rateRatios.push(1 - got.get(on)!.rate / got.get(off)!.rate);
}
await stop(on.child);
await stop(off.child);

// ---- the reporter's own CPU, without the scheduling noise: record() and sending, in this process, in batches of
// the size the on-server sent (its call rate × the 100 ms flush delay), per call; the wait for the daemon is idle.
const observedBatch = Math.min(500, Math.max(1, Math.round(median(sides.get(on)!.map((w) => w.rate)) / 10)));
const direct = createReporter({ issuer: world.url, ...world.rs, flushDelayMs: 3_600_000 });
/** CPU µs per call of record() + sending, in batches of `batch`, median of 4 rounds after a warm-up round. */
async function ownCpu(batch: number): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const c0 = process.cpuUsage();
    for (let done = 0; done < DIRECT; done += batch) {
      for (let i = 0; i < batch; i++) direct.record({ tool: 'list_mail', outcome: 'allowed', grantId: world.grantId });
      await direct.flush();
    }
    const c = process.cpuUsage(c0);
    if (round > 0) rounds.push((c.user + c.system) / (Math.ceil(DIRECT / batch) * batch));
  }
  return median(rounds);
}
const ownObserved = await ownCpu(observedBatch);
const ownFull = await ownCpu(500);
await direct.close();
await world.stop();

// ---- the daemon's ingest capacity: a backlog of reports flushed as fast as it acknowledges them, on a fresh daemon
// (first flush a warm-up, then INGEST_ROUNDS timed). With BENCH_BASELINE_BIN (another build's bin/mandate.js, e.g.
// from a `git worktree` of an older commit) the same is measured on it, alternating, for a before/after figure.
interface Ingest {
  rate: number;
  cpuPerAck: number | undefined;
}
async function ingest(bin: string): Promise<Ingest> {
  const w = await startWorld(bin);
  const reporter = createReporter({ issuer: w.url, ...w.rs, flushDelayMs: 3_600_000, maxQueued: INGEST + 1 });
  const rates: number[] = [];
  const cpus: number[] = [];
  for (let round = 0; round <= INGEST_ROUNDS; round++) {
    for (let i = 0; i < INGEST; i++) reporter.record({ tool: 'list_mail', outcome: 'allowed', grantId: w.grantId });
    const c0 = w.cpu();
    const t0 = performance.now();
    await reporter.flush();
    const rate = INGEST / ((performance.now() - t0) / 1000);
    const c1 = w.cpu();
    if (round === 0) continue;
    rates.push(rate);
    if (c0 !== undefined && c1 !== undefined) cpus.push((c1 - c0) / INGEST);
  }
  await reporter.close();
  await w.stop();
  return { rate: median(rates), cpuPerAck: cpus.length > 0 ? median(cpus) : undefined };
}
const BASELINE = process.env.BENCH_BASELINE_BIN;
const current: Ingest[] = [];
const baseline: Ingest[] = [];
for (let i = 0; i < (BASELINE ? INGEST_PAIRS : 1); i++) {
  if (BASELINE && i % 2 === 1) baseline.push(await ingest(BASELINE));
  current.push(await ingest('bin/mandate.js'));
  if (BASELINE && i % 2 === 0) baseline.push(await ingest(BASELINE));
}
const summary = (xs: Ingest[]): Ingest => {
  const cpu = xs.flatMap((x) => (x.cpuPerAck === undefined ? [] : [x.cpuPerAck]));
  return { rate: median(xs.map((x) => x.rate)), cpuPerAck: cpu.length > 0 ? median(cpu) : undefined };
};
const ingestNow = summary(current);
const ingestRate = ingestNow.rate;

const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
const row = (name: string, ws: Window[]) =>
  console.log(
    `  ${name.padEnd(20)} ${median(ws.map((w) => w.rate))
      .toFixed(0)
      .padStart(6)} calls/s   ${median(ws.map((w) => w.cpuPerCall))
      .toFixed(1)
      .padStart(7)} µs CPU per call   (median of rounds)`,
  );
console.log(
  `tool calls over HTTP (Node ${process.version}): the kit's Hono middleware in its own process, reporting off vs on${PIN ? ` (both on CPU ${PIN})` : ''}; ${ROUNDS} paired rounds × ${CALLS} calls each side at once, ${CONNECTIONS} connections each, after ${WARMUP} warm-up`,
);
row('reporting off', sides.get(off)!);
row('reporting on', sides.get(on)!);
const overhead = median(overheads);
const [lo, hi] = quartiles(overheads);
console.log(
  `  reporting overhead   ${pct(overhead)} CPU per call (target <= 5%) ${overhead <= 0.05 ? 'ok' : 'FAIL'}; middle half ${pct(lo)} – ${pct(hi)}; ${pct(median(rateRatios))} calls/s`,
);
const offCpu = median(sides.get(off)!.map((w) => w.cpuPerCall));
const verdict = (r: number) => `${pct(r)} ${r <= 0.05 ? 'ok' : 'FAIL'}`;
console.log(
  `  reporter's own CPU   ${ownObserved.toFixed(1).padStart(6)} µs per call in batches of ${observedBatch} (as sent at this call rate) = ${verdict(ownObserved / offCpu)}; ${ownFull.toFixed(1)} µs in full batches of 500 = ${verdict(ownFull / offCpu)} of a served call (${offCpu.toFixed(1)} µs, reporting off; target <= 5%)`,
);
const callRate = median(sides.get(on)!.map((w) => w.rate));
const backlog = median(sides.get(on)!.map((w) => w.backlog));
const drainMs = median(sides.get(on)!.map((w) => w.drainMs));
console.log(
  `  daemon ingest        ${ingestRate.toFixed(0).padStart(6)} acks/s capacity (${INGEST} queued reports flushed) for ${callRate.toFixed(0)} calls/s: ${ingestRate >= callRate ? 'keeps up' : 'falls behind: the queue grows'}; ${backlog.toFixed(0)} reports unacknowledged at a window's end, drained in ${drainMs.toFixed(0)} ms`,
);
const perAck = (seconds: number | undefined) => (seconds === undefined ? 'n/a' : `${(seconds * 1e6).toFixed(0)} µs`);
console.log(
  `  daemon CPU per call  ${perAck(ingestNow.cpuPerAck).padStart(6)} while flushing the backlog, ${perAck(daemonWork.calls > 0 ? daemonWork.seconds / daemonWork.calls : undefined)} during the windows`,
);
if (BASELINE) {
  const before = summary(baseline);
  console.log(
    `  ingest vs baseline   ${ingestRate.toFixed(0)} acks/s, ${perAck(ingestNow.cpuPerAck)} CPU per ack; baseline build ${before.rate.toFixed(0)} acks/s, ${perAck(before.cpuPerAck)} (median of ${INGEST_PAIRS} alternating daemons each)`,
  );
}
