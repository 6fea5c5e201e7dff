/**
 * The resource-server kit, as ratios measured in the same run (see bench/README.md):
 *  1. verify() throughput against plain jose.jwtVerify of the same token with the same cached JWKS;
 *  2. revoke → refused latency over REVOCATIONS revocations (from sending the revoke until the verifier refuses);
 *  3. reporting overhead: verify + record a tool call against verify alone.
 * For 1 and 3 the daemon (built dist/) runs in a child process, so its audit writes do not share this event loop;
 * for 2 it runs in-process, so the moment of the revoke's commit can be observed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { MandateTokenError, createReporter, createVerifier } from '../kits/resource-server/index.js';
import { startDaemon } from '../daemon/src/daemon.js';

process.env.MANDATE_KEY_DIR ??= mkdtempSync(join(tmpdir(), 'mandate-bench-keys-'));
const VERIFIES = Number(process.env.BENCH_VERIFIES ?? 5000);
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 1000);
const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const home = mkdtempSync(join(tmpdir(), 'mandate-bench-'));
const child = spawn(process.execPath, ['bin/mandate.js', 'daemon', '--port', '0', '--home', home, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  child.stdout.once('data', (b: Buffer) => resolve((JSON.parse(b.toString()) as { url: string }).url));
  child.once('exit', (c) => reject(new Error(`daemon exited ${c}`)));
});
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
const { rs, grant } = await registered(url, readFileSync(join(home, 'cli-credential'), 'utf8').trim());

const verifier = createVerifier({ issuer: url, audience: MAIL, clientId: rs.client_id, clientSecret: rs.client_secret });
await verifier.ready();
const { token } = await grant();
const jwks = createRemoteJWKSet(new URL(`${url}/jwks.json`));

async function rate(n: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await op();
  const start = performance.now();
  for (let i = 0; i < n; i++) await op();
  return n / ((performance.now() - start) / 1000);
}

// 1. verify() vs jose.jwtVerify (alternating runs, median of five each, to even out a shared machine)
const josePlain = () => jwtVerify(token, jwks, { issuer: url, audience: MAIL });
const kit = () => verifier.verify(token, { scope: 'mail.read' });
const joseRates: number[] = [];
const kitRates: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // ABBA: which one runs first alternates, so a warm or cold machine favours neither
  if (round % 2 === 0) {
    joseRates.push(await rate(VERIFIES, josePlain));
    kitRates.push(await rate(VERIFIES, kit));
  } else {
    kitRates.push(await rate(VERIFIES, kit));
    joseRates.push(await rate(VERIFIES, josePlain));
  }
}
const joseBest = median(joseRates);
const kitBest = median(kitRates);

// 3. reporting overhead: the same verify loop, with one recorded decision per call (batched to the daemon)
const reporter = createReporter({ issuer: url, clientId: rs.client_id, clientSecret: rs.client_secret });
const plainRates: number[] = [];
const reportRates: number[] = [];
const reported = async () => {
  const t = await verifier.verify(token, { scope: 'mail.read' });
  reporter.record({ tool: 'list_mail', outcome: 'allowed', grantId: t.grantId });
};
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    plainRates.push(await rate(VERIFIES, kit));
    reportRates.push(await rate(VERIFIES, reported));
  } else {
    reportRates.push(await rate(VERIFIES, reported));
    plainRates.push(await rate(VERIFIES, kit));
  }
}
await reporter.flush();
await reporter.close();
const overhead = 1 - median(reportRates) / median(plainRates);

await verifier.close();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(home, { recursive: true, force: true });

// 2. revoke → refused latency, timed from the revoke's commit. This daemon runs in-process so the commit is
// observable: its event bus publishes right after the transaction commits (daemon/src/events.ts).
const home2 = mkdtempSync(join(tmpdir(), 'mandate-bench-'));
const d = await startDaemon({ home: home2, port: 0, person: 'user:bench@local', log: () => {} });
const second = await registered(d.url, readFileSync(join(home2, 'cli-credential'), 'utf8').trim());
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
console.log(
  `resource-server kit (Node ${process.version}); rounds: jose ${joseRates.map((r) => r.toFixed(0)).join(' ')} | verify ${kitRates.map((r) => r.toFixed(0)).join(' ')} | +report ${reportRates.map((r) => r.toFixed(0)).join(' ')} | verify ${plainRates.map((r) => r.toFixed(0)).join(' ')}`,
);
console.log(`  jose.jwtVerify          ${joseBest.toFixed(0).padStart(8)} verifies/s   (baseline)`);
console.log(
  `  verifier.verify()       ${kitBest.toFixed(0).padStart(8)} verifies/s   ${(kitBest / joseBest).toFixed(2)}x  (target >= 0.80x) ${ok(kitBest / joseBest >= 0.8)}`,
);
console.log(`  + report each call      ${(overhead * 100).toFixed(1).padStart(7)} % overhead            (target <= 5%)   ${ok(overhead <= 0.05)}`);
console.log(
  `  revoke -> refused       p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms over ${latencies.length} revocations (target p99 <= 50 ms) ${ok(pct(99) <= 50)}`,
);
