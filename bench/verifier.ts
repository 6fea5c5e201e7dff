/**
 * The resource-server kit's verifier, as ratios measured in the same run (see bench/README.md):
 *  1. verify() against plain jose.jwtVerify over the same set of distinct tokens, same cached JWKS: a paired
 *     comparison, short timed windows of each side alternating (ABBA) after a warm-up, each round giving one ratio,
 *     the figure the median ratio, so load on the shared machine hits both sides alike; the daemon (built dist/)
 *     runs in a child process;
 *  2. revoke → refused latency over REVOCATIONS revocations (from the revoke's commit until the verifier refuses),
 *     with the daemon in-process so the moment of the revoke's commit can be observed.
 * Tool-call reporting is measured against a real tool call over HTTP in bench/reporting.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startDaemon } from '../daemon/src/daemon.js';
import { MandateTokenError, createVerifier } from '../kits/resource-server/index.js';
import { readCredential, SHIPPED_NODE_ARGS, spawnDaemon } from './daemon.js';
import { median, quartiles } from './stats.js';

process.env.MANDATE_KEY_DIR ??= mkdtempSync(join(tmpdir(), 'mandate-bench-keys-'));
const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const TOKENS = num('BENCH_TOKENS', 64);
/** Timed ops per window, rounds. */
const VERIFY = { chunk: num('BENCH_CHUNK', 500), rounds: num('BENCH_ROUNDS', 24) };
type Plan = typeof VERIFY;
const WARMUP = num('BENCH_WARMUP', 1000);
const REVOCATIONS = num('BENCH_REVOCATIONS', 1000);

const daemon = await spawnDaemon({ nodeArgs: process.env.BENCH_DAEMON_NODE_OPTIONS?.split(' ').filter(Boolean) ?? SHIPPED_NODE_ARGS });
const { url } = daemon;
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
  wall: number[];
  cpu: number[];
}
const side = (name: string, op: Op): Side => ({ name, op, wall: [], cpu: [] });

let cursor = 0;
const run = async (s: Side, n: number) => {
  for (let i = 0; i < n; i++) await s.op(tokens[cursor++ % tokens.length]!);
};
/**
 * One block of n timed ops. Returns ops per wall-clock second and ops per CPU second of this process (all its
 * threads: WebCrypto verifies on the libuv pool).
 */
async function chunk(s: Side, n: number): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(s, n);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  return { wall: n / wall, cpu: n / ((c.user + c.system) / 1e6) };
}

/** Warm-up, then `rounds` rounds of one block each, order alternating (ABBA); per-round ratios b/a. */
async function paired(a: Side, b: Side, plan: Plan) {
  await chunk(a, WARMUP);
  await chunk(b, WARMUP);
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const order = round % 2 === 0 ? [a, b] : [b, a];
    const got = new Map<Side, { wall: number; cpu: number }>();
    for (const s of order) {
      const r = await chunk(s, plan.chunk);
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

await verifier.close();
await daemon.stop();

// 2. revoke → refused latency, timed from the revoke's commit. This daemon runs in-process so the commit is
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
console.log(
  `resource-server kit (Node ${process.version}): ${TOKENS} distinct tokens; paired rounds after ${WARMUP} warm-up: verify ${VERIFY.rounds} × ${VERIFY.chunk}`,
);
for (const s of [jose, kit]) console.log(`  ${s.name.padEnd(22)} ${rates(s)}   (median of rounds)`);
console.log(
  `  verify() / jwtVerify   ${verifyRatio.wall.toFixed(2)}x wall, ${verifyRatio.cpu.toFixed(2)}x cpu   (median paired ratio; target >= 0.80x) ${ok(verifyRatio.wall >= 0.8)}; middle half ${range(verifyRatio.spread.wall, (r) => `${r.toFixed(2)}x`)} wall`,
);
console.log(
  `  revoke -> refused      p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms over ${latencies.length} revocations (target p99 <= 50 ms) ${ok(pct(99) <= 50)}`,
);
