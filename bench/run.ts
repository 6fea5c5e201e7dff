/**
 * Daemon throughput, as ratios against a baseline measured in the same run.
 *
 * Starts the real `mandate daemon` (built dist/) in a child process on a free loopback port with a temp
 * data dir, then drives it from this process with a fixed number of requests per scenario at a fixed
 * concurrency. Baseline: GET /jwks.json, which crosses the same Host/Origin guard and router but touches
 * neither the database nor client authentication. Each figure is printed as ops/s and as a ratio of the
 * baseline's ops/s, so runs on different machines compare by ratio.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

// Benchmark daemons keep their audit keys in a temporary folder, not the user's config directory.
process.env.MANDATE_KEY_DIR ??= mkdtempSync(join(tmpdir(), 'mandate-bench-keys-'));

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

const home = mkdtempSync(join(tmpdir(), 'mandate-bench-'));
const child = spawn(process.execPath, ['bin/mandate.js', 'daemon', '--port', '0', '--home', home, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  child.stdout.once('data', (b: Buffer) => resolve((JSON.parse(b.toString()) as { url: string }).url));
  child.once('exit', (c) => reject(new Error(`daemon exited ${c}`)));
});
const admin = readFileSync(join(home, 'cli-credential'), 'utf8').trim();

async function adminCall(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
async function form(path: string, who: { client_id: string; client_secret: string }, params: Record<string, string>) {
  return fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(who.client_id, who.client_secret) },
    body: new URLSearchParams(params),
  });
}

type Client = { client_id: string; client_secret: string };
const MAIL = 'https://mail.example/';
const agent = (await adminCall('POST', '/agents', { name: 'Bench agent', scopes: ['mail.read', 'mail.send'], resources: [MAIL] })) as Client;
const rs = (await adminCall('POST', '/agents', { name: 'Bench API', kind: 'resource_server', resources: [MAIL] })) as Client;

async function ciba(): Promise<string> {
  const bc = (await (await form('/bc-authorize', agent, { scope: 'mail.read', resource: MAIL, requested_expiry: '3600' })).json()) as { auth_req_id: string };
  await adminCall('POST', `/requests/${bc.auth_req_id}/approve`, {});
  const res = await form('/token', agent, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: bc.auth_req_id });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
const token = await ciba();

async function measure(name: string, requests: number, op: () => Promise<void>): Promise<{ name: string; opsPerSec: number }> {
  for (let i = 0; i < 20; i++) await op(); // warm-up
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < requests) await op();
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { name, opsPerSec: requests / seconds };
}

const expectOk = async (p: Promise<Response>) => {
  const r = await p;
  if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
  await r.arrayBuffer();
};

const results = [
  await measure('baseline: GET /jwks.json', REQUESTS, () => expectOk(fetch(`${url}/jwks.json`))),
  await measure('introspect (resource server, active token)', REQUESTS, () => expectOk(form('/introspect', rs, { token }))),
  await measure('token exchange (renewal, durable write)', REQUESTS, () =>
    expectOk(
      form('/token', agent, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      }),
    ),
  ),
  await measure('full CIBA approval (request + approve + token)', Math.ceil(REQUESTS / 5), async () => void (await ciba())),
];

child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(home, { recursive: true, force: true });

const base = results[0]!.opsPerSec;
console.log(`Mandate daemon benchmark: ${REQUESTS} requests per scenario, concurrency ${CONCURRENCY}, node ${process.version}`);
for (const r of results) {
  console.log(`${r.name.padEnd(50)} ${r.opsPerSec.toFixed(0).padStart(7)} ops/s   ${(r.opsPerSec / base).toFixed(3)} × baseline`);
}
