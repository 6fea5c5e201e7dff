/**
 * The resource-server kit, as ratios measured in the same run (see bench/README.md):
 *  1. verify() against plain jose.jwtVerify over the same set of distinct tokens, same cached JWKS;
 *  2. reporting overhead: verify + record a tool call against verify alone;
 *  3. revoke → refused latency over REVOCATIONS revocations (from the revoke's commit until the verifier refuses).
 * 1 and 2 are paired comparisons: short timed windows of each side alternate (ABBA) after a warm-up, each round
 * gives one ratio, and the figure is the median ratio, so load on the shared machine hits both sides alike.
 * For 1 and 2 the daemon (built dist/) runs in a child process, so its audit writes do not share this event loop;
 * for 3 it runs in-process, so the moment of the revoke's commit can be observed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startDaemon } from '../daemon/src/daemon.js';
import { MandateTokenError, createReporter, createVerifier } from '../kits/resource-server/index.js';
import { readCredential, spawnDaemon } from './daemon.js';

process.env.MANDATE_KEY_DIR ??= mkdtempSync(join(tmpdir(), 'mandate-bench-keys-'));
const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const TOKENS = num('BENCH_TOKENS', 64);
/** Timed ops per window, untimed ops around it, rounds: verify pair, then reporting pair (longer windows, so
 * each holds several batch round trips to the daemon). */
const VERIFY = { chunk: num('BENCH_CHUNK', 500), lead: 0, rounds: num('BENCH_ROUNDS', 24) };
const REPORT = { chunk: num('BENCH_REPORT_CHUNK', 3000), lead: num('BENCH_LEAD', 1000), rounds: num('BENCH_REPORT_ROUNDS', 12) };
type Plan = typeof VERIFY;
const WARMUP = num('BENCH_WARMUP', 1000);
const REVOCATIONS = num('BENCH_REVOCATIONS', 1000);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** First and third quartile (the middle half of the per-round ratios). */
const quartiles = (xs: number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)]!, s[Math.ceil(((s.length - 1) * 3) / 4)]!];
};

const daemon = await spawnDaemon({ nodeArgs: process.env.BENCH_DAEMON_NODE_OPTIONS?.split(' ') ?? [] });
const { url, child } = daemon;
const MAIL = 'https://mail.example/';
type Client = { client_id: string; client_secret: string };
const basic = (c: Client) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;

/** An agent and a resource server registered on a daemon, and a way to get approved grants with a token. */
async function registered(base: string, adminToken: string) {
  async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${base}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }
  const agent = (await admin('POST', '/agents', { name: 'Bench agent', scopes: ['mail.read'], resources: [MAIL] })) as Client;
  const rs = (await admin('POST', '/agents', { name: 'Bench API', kind: 'resource_server', resources: [MAIL] })) as Client;
  async function grant(): Promise<{ token: string; grantId: string }> {
    const post = (path: string, params: Record<string, string>) =>
      fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(agent) },
        body: new URLSearchParams(params),
      });
    const bc = (await (await post('/bc-authorize', { scope: 'mail.read', resource: MAIL, requested_expiry: '3600' })).json()) as { auth_req_id: string };
    const g = (await admin('POST', `/requests/${bc.auth_req_id}/approve`, {})) as { id: string };
    const t = (await (await post('/token', { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: bc.auth_req_id })).json()) as {
      access_token: string;
    };
    return { token: t.access_token, grantId: g.id };
  }
  return { rs, grant, admin };
}
const { rs, grant } = await registered(url, daemon.admin.credential);

const verifier = createVerifier({ issuer: url, audience: MAIL, clientId: rs.client_id, clientSecret: rs.client_secret });
await verifier.ready();
// distinct tokens, each of its own grant: neither side can profit from seeing the same token again
const tokens: string[] = [];
for (let i = 0; i < TOKENS; i++) tokens.push((await grant()).token);
const jwks = createRemoteJWKSet(new URL(`${url}/jwks.json`));

type Op = (token: string) => Promise<unknown>;
interface Side {
  name: string;
  op: Op;
  /** Untimed work after a block (draining what it left behind, so it cannot spill into the next block). */
  settle?: () => Promise<void>;
  wall: number[];
  cpu: number[];
}
const side = (name: string, op: Op, settle?: () => Promise<void>): Side => ({ name, op, ...(settle ? { settle } : {}), wall: [], cpu: [] });

let cursor = 0;
const run = async (s: Side, n: number) => {
  for (let i = 0; i < n; i++) await s.op(tokens[cursor++ % tokens.length]!);
};
/** Called at the edges of each timed window (the reporting side reads its queue there). */
let onWindow: ((edge: 'start' | 'end', s: Side) => void) | undefined;
/**
 * One block: `lead` ops untimed (so batching is in its steady state), n timed ops, `lead` ops untimed (so the
 * window neither starts nor ends on a send of its own), then `settle` untimed. Returns ops per wall-clock
 * second and ops per CPU second of this process (all its threads: WebCrypto verifies on the libuv pool).
 */
async function chunk(s: Side, n: number, lead: number): Promise<{ wall: number; cpu: number }> {
  await run(s, lead);
  onWindow?.('start', s);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(s, n);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  onWindow?.('end', s);
  await run(s, lead);
  await s.settle?.();
  return { wall: n / wall, cpu: n / ((c.user + c.system) / 1e6) };
}

/** Warm-up, then `rounds` rounds of one block each, order alternating (ABBA); per-round ratios b/a. */
async function paired(a: Side, b: Side, plan: Plan) {
  await chunk(a, WARMUP, 0);
  await chunk(b, WARMUP, 0);
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const order = round % 2 === 0 ? [a, b] : [b, a];
    const got = new Map<Side, { wall: number; cpu: number }>();
    for (const s of order) {
      const r = await chunk(s, plan.chunk, plan.lead);
      s.wall.push(r.wall);
      s.cpu.push(r.cpu);
      got.set(s, r);
    }
    wallRatios.push(got.get(b)!.wall / got.get(a)!.wall);
    cpuRatios.push(got.get(b)!.cpu / got.get(a)!.cpu);
  }
  return { wall: median(wallRatios), cpu: median(cpuRatios), spread: { wall: quartiles(wallRatios), cpu: quartiles(cpuRatios) } };
}

// 1. verify() vs jose.jwtVerify on the same tokens. verify() keeps no cache of verified tokens (each call runs
// jwtVerify and the checks after it), so there is no warm case to tell apart from the cold one.
const jose = side('jose.jwtVerify', (t) => jwtVerify(t, jwks, { issuer: url, audience: MAIL }));
const kit = side('verifier.verify()', (t) => verifier.verify(t, { scope: 'mail.read' }));
const verifyRatio = await paired(jose, kit, VERIFY);

// 2. reporting overhead: the same verify loop, with one recorded decision per call, batched to the daemon in
// the background as a resource server does it. Each timed window sits inside a longer run (see chunk), so it
// pays for the batches sent during it as in a steady stream; what is left is drained untimed after the block,
// on both sides alike. Whether the daemon keeps up is measured separately (acknowledged calls per second).
const reporter = createReporter({ issuer: url, clientId: rs.client_id, clientSecret: rs.client_secret });
let recorded = 0;
let sink = '';
// both sides are the same async function shape; only the record() line differs
const plain = side(
  'verify only',
  async (t) => {
    const v = await verifier.verify(t, { scope: 'mail.read' });
    sink = v.grantId;
  },
  () => reporter.flush(),
);
const reporting = side(
  'verify + record',
  async (t) => {
    const v = await verifier.verify(t, { scope: 'mail.read' });
    reporter.record({ tool: 'list_mail', outcome: 'allowed', grantId: v.grantId });
    recorded++;
  },
  () => reporter.flush(),
);
/** CPU seconds the daemon child has used so far (Linux /proc; undefined elsewhere). */
const daemonCpu = (): number | undefined => {
  try {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return undefined;
  }
};
const ingest: number[] = [];
let daemonSeconds = 0;
let daemonCalls = 0;
let windowStart = { acked: 0, at: 0, cpu: 0 as number | undefined };
onWindow = (edge, s) => {
  if (s !== reporting) return;
  const now = { acked: recorded - reporter.pending(), at: performance.now(), cpu: daemonCpu() };
  if (edge === 'start') {
    windowStart = now;
    return;
  }
  ingest.push((now.acked - windowStart.acked) / ((now.at - windowStart.at) / 1000));
  if (now.cpu !== undefined && windowStart.cpu !== undefined) {
    daemonSeconds += now.cpu - windowStart.cpu;
    daemonCalls += now.acked - windowStart.acked;
  }
};
const reportRatio = await paired(plain, reporting, REPORT);
if (sink === '') throw new Error('no verify ran');
await reporter.close();

// 2b. the reporter's own CPU, without the scheduling noise of a loaded machine: this process's CPU for
// record() alone, then for sending those calls (encode, HTTP, parse the answer; waiting for the daemon's
// durable commit is idle time and not counted), per call, against the CPU of one verify().
const direct = createReporter({ issuer: url, clientId: rs.client_id, clientSecret: rs.client_secret, flushDelayMs: 3_600_000 });
const DIRECT = REPORT.chunk * 4;
const grantIds = await Promise.all(tokens.map(async (t) => (await verifier.verify(t)).grantId));
const recordCpu: number[] = [];
const sendCpu: number[] = [];
for (let round = 0; round < 5; round++) {
  let c0 = process.cpuUsage();
  for (let i = 0; i < DIRECT; i++) direct.record({ tool: 'list_mail', outcome: 'allowed', grantId: grantIds[i % grantIds.length]! });
  let c = process.cpuUsage(c0);
  recordCpu.push((c.user + c.system) / DIRECT);
  c0 = process.cpuUsage();
  await direct.flush();
  c = process.cpuUsage(c0);
  sendCpu.push((c.user + c.system) / DIRECT);
}
await direct.close();

await verifier.close();
await daemon.stop();

// 3. revoke → refused latency, timed from the revoke's commit. This daemon runs in-process so the commit is
// observable: its event bus publishes right after the transaction commits (daemon/src/events.ts).
const home2 = mkdtempSync(join(tmpdir(), 'mandate-bench-'));
const d = await startDaemon({ home: home2, port: 0, person: 'user:bench@local', log: () => {} });
const second = await registered(d.url, readCredential(home2));
const live = createVerifier({ issuer: d.url, audience: MAIL, clientId: second.rs.client_id, clientSecret: second.rs.client_secret });
await live.ready();
const committedAt = new Map<string, number>();
d.ctx.bus.subscribe((e) => {
  if (e.type === 'grant' && e.status === 'revoked') committedAt.set(e.grant_id, performance.now());
});
const grants: { token: string; grantId: string }[] = [];
for (let i = 0; i < REVOCATIONS; i++) grants.push(await second.grant());
await live.verify(grants[0]!.token); // keys cached
const latencies: number[] = [];
for (const g of grants) {
  const revoked = second.admin('POST', `/grants/${g.grantId}/revoke`, {});
  while (!live.isDead(g.grantId)) await new Promise((r) => setImmediate(r));
  const refusedAt = performance.now();
  await revoked;
  latencies.push(refusedAt - committedAt.get(g.grantId)!);
  const refused = await live.verify(g.token).then(
    () => false,
    (e: unknown) => e instanceof MandateTokenError && e.code === 'revoked',
  );
  if (!refused) throw new Error(`grant ${g.grantId} was not refused after its revoke`);
}
await live.close();
await d.close();
rmSync(home2, { recursive: true, force: true });
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;

const ok = (b: boolean) => (b ? 'ok' : 'FAIL');
const rates = (s: Side) => `${median(s.wall).toFixed(0).padStart(6)}/s wall, ${median(s.cpu).toFixed(0).padStart(6)}/cpu-s`;
const range = ([lo, hi]: [number, number], f: (r: number) => string, flip = false) => (flip ? `${f(hi)} – ${f(lo)}` : `${f(lo)} – ${f(hi)}`);
const overhead = (r: number) => `${((1 - r) * 100).toFixed(1)} %`;
console.log(
  `resource-server kit (Node ${process.version}): ${TOKENS} distinct tokens; paired rounds after ${WARMUP} warm-up: verify ${VERIFY.rounds} × ${VERIFY.chunk}, reporting ${REPORT.rounds} × ${REPORT.chunk} timed inside ${REPORT.lead} + ${REPORT.lead} untimed`,
);
for (const s of [jose, kit, plain, reporting]) console.log(`  ${s.name.padEnd(22)} ${rates(s)}   (median of rounds)`);
const acked = median(ingest);
const calls = median(reporting.wall);
console.log(
  `  daemon ingest          ${acked.toFixed(0).padStart(6)}/s acknowledged while reporting ${calls.toFixed(0)} calls/s (${acked >= 0.95 * calls ? 'keeps up' : 'falls behind: the queue grows'})`,
);
const verifyMicros = 1e6 / median(plain.cpu);
const ownMicros = median(recordCpu) + median(sendCpu);
console.log(
  `  reporter CPU per call  ${ownMicros.toFixed(1).padStart(6)} µs (record ${median(recordCpu).toFixed(2)} + send ${median(sendCpu).toFixed(1)}) = ${((ownMicros / verifyMicros) * 100).toFixed(1)} % of a verify (${verifyMicros.toFixed(0)} µs) (target <= 5%) ${ok(ownMicros / verifyMicros <= 0.05)}`,
);
const perCall = daemonCalls > 0 ? `${((daemonSeconds / daemonCalls) * 1e6).toFixed(0)} µs` : 'n/a';
console.log(`  daemon CPU per call    ${perCall.padStart(6)} (audit row + dedupe, one durable transaction per batch)`);
console.log(
  `  verify() / jwtVerify   ${verifyRatio.wall.toFixed(2)}x wall, ${verifyRatio.cpu.toFixed(2)}x cpu   (median paired ratio; target >= 0.80x) ${ok(verifyRatio.wall >= 0.8)}; middle half ${range(verifyRatio.spread.wall, (r) => `${r.toFixed(2)}x`)} wall`,
);
console.log(
  `  reporting overhead     ${overhead(reportRatio.cpu)} cpu, ${overhead(reportRatio.wall)} wall   (median paired ratio; target <= 5%: ${ok(1 - reportRatio.cpu <= 0.05)} in the resource server's CPU, ${ok(1 - reportRatio.wall <= 0.05)} in wall-clock rate with the daemon on the same cores); middle half ${range(reportRatio.spread.cpu, overhead, true)} cpu`,
);
console.log(
  `  revoke -> refused      p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms over ${latencies.length} revocations (target p99 <= 50 ms) ${ok(pct(99) <= 50)}`,
);
