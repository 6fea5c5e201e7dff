/**
 * Soak: the real daemon (built dist/, child process) under a steady mixed load for BENCH_SOAK_SECONDS
 * (default 600), with its resident memory sampled from /proc/<pid>/status every BENCH_SOAK_SAMPLE_MS.
 *
 * The load, BENCH_SOAK_RATE cycles per second (default 15, so the daemon reaches its steady state well within the
 * ten minutes), each cycle one of: a CIBA request approved by the
 * admin API and redeemed at /token, token exchanges (renewals), introspections by a resource server, a
 * revocation (admin revoke of the oldest live grant, so the number of live delegations stays steady), and
 * an audit read. Alongside, admin event-stream (SSE) clients and resource-server revocation-feed clients
 * connect, listen a few seconds and disconnect, over and over.
 *
 * Prints start, peak and end RSS, the slope over the second half (MB per minute, least squares) and the
 * number of each operation. Goal (issue 14): end ≤ 100 MB and a flat slope. BENCH_SOAK_NODE_ARGS passes flags
 * to the daemon's node instead of the ones `npm start` gives it (SHIPPED_NODE_ARGS); empty for plain node.
 */
import { adminClient } from '#shared/admin-client.js';
import { REVOCATIONS_PATH } from '#shared/resource-server.js';
import { cpuSecondsOf, residentMbOf, SHIPPED_NODE_ARGS, spawnDaemon } from './daemon.js';
import { rssSummary } from './soak-stats.js';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const SAMPLE_MS = Number(process.env.BENCH_SOAK_SAMPLE_MS ?? 5000);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 15);
const LIVE = Number(process.env.BENCH_SOAK_LIVE ?? 50); // live delegations kept while the soak runs
const EVENT_CLIENTS = 3;
const FEED_CLIENTS = 2;

const nodeArgs = process.env.BENCH_SOAK_NODE_ARGS?.split(' ').filter(Boolean) ?? SHIPPED_NODE_ARGS;
const daemon = await spawnDaemon({ nodeArgs, stderr: 'pipe' });
/** Node's process warnings from the daemon, e.g. MaxListenersExceededWarning when SSE subscriptions are not released (the event bus warns above 100). */
let warnings = 0;
/**
 * Failures the daemon logs and carries on from (an internal error answering, a checkpoint or refusal count it could
 * not write, a failed expiry sweep): none answers a request with an error, so the soak's `errors` would not see one.
 */
const LOGGED_FAILURE = /^\[mandate\] (internal error|could not|expiry sweep failed|unexpected error)/gm;
let failuresLogged = 0;
daemon.child.stderr?.on('data', (b: Buffer) => {
  const text = b.toString();
  warnings += (text.match(/Warning:/g) ?? []).length;
  failuresLogged += (text.match(LOGGED_FAILURE) ?? []).length;
  process.stderr.write(b);
});
const { url, pid } = daemon;
const admin = adminClient(fetch, url, () => daemon.admin.headers);

/** The daemon's CPU time (user + system) in seconds: a cost that, unlike throughput, barely moves with the machine's load. */
const cpuSeconds = (): number => cpuSecondsOf(pid) ?? Number.NaN;

type Client = { client_id: string; client_secret: string };
const MAIL = 'https://mail.example/';
const agent: Client = await admin.call('agents.create', { name: 'Soak agent', scopes: ['mail.read', 'mail.send'], resources: [MAIL] });
const rs: Client = await admin.call('agents.create', { name: 'Soak API', kind: 'resource_server', resources: [MAIL] });
const basic = (c: Client) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;

const counts: Record<string, number> = {
  'CIBA request + approve + token': 0,
  'token exchange': 0,
  introspection: 0,
  revocation: 0,
  'audit read': 0,
  'event-stream connections': 0,
  'revocation-feed connections': 0,
  'SSE events received': 0,
  errors: 0,
};
const count = (k: string) => {
  counts[k] = (counts[k] ?? 0) + 1;
};

async function form(path: string, who: Client, params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(who) },
    body: new URLSearchParams(params),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Live delegations, oldest first: grant id and its newest access token. */
const live: { grant: string; token: string }[] = [];

async function ciba(): Promise<void> {
  const bc = await form('/bc-authorize', agent, { scope: 'mail.read', resource: MAIL, requested_expiry: '3600', binding_message: 'Soak' });
  const id = String(bc.auth_req_id);
  const approved = await admin.call('requests.approve', { id }, {});
  const t = await form('/token', agent, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: id });
  live.push({ grant: approved.id, token: String(t.access_token) });
  count('CIBA request + approve + token');
}

async function exchange(): Promise<void> {
  const d = live[Math.floor(Math.random() * live.length)];
  if (!d) return;
  const t = await form('/token', agent, {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: d.token,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  });
  d.token = String(t.access_token);
  count('token exchange');
}

async function introspect(): Promise<void> {
  const d = live[Math.floor(Math.random() * live.length)];
  if (!d) return;
  await form('/introspect', rs, { token: d.token });
  count('introspection');
}

async function revokeOldest(): Promise<void> {
  const d = live.shift();
  if (!d) return;
  await admin.call('grants.revoke', { id: d.grant }, {});
  count('revocation');
}

async function auditRead(): Promise<void> {
  await admin.call('audit.list', { limit: 100 });
  count('audit read');
}

/** One cycle of the mix: mostly hot-path reads and renewals, a new delegation and a revocation now and then. */
async function cycle(n: number): Promise<void> {
  if (live.length < LIVE || n % 10 === 0) await ciba();
  if (live.length > LIVE) await revokeOldest();
  await exchange();
  await introspect();
  await introspect();
  if (n % 5 === 0) await auditRead();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let running = true;

/** Connects, reads for 2–8 s, disconnects; again until the soak ends. */
async function sseClient(name: string, target: string, headers: Record<string, string>): Promise<void> {
  while (running) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 2000 + Math.random() * 6000);
    try {
      const res = await fetch(target, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
      if (!res.ok || !res.body) throw new Error(`${name}: ${res.status}`);
      count(name);
      const decoder = new TextDecoder();
      for await (const chunk of res.body) {
        counts['SSE events received']! += (decoder.decode(chunk as Uint8Array, { stream: true }).match(/^data:/gm) ?? []).length;
        if (!running) break;
      }
    } catch (e) {
      if (!abort.signal.aborted) {
        count('errors');
        console.error(String(e));
      }
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }
}

const cpuAtStart = cpuSeconds();
// RSS, and its two parts: anonymous (the V8 heaps, SQLite's page cache, malloc) and file-backed (the node binary
// and addons as their pages are first touched), so a climb can be told apart
const samples: { t: number; mb: number; anon: number; file: number }[] = [];
const start = performance.now();
const sample = () => {
  const m = residentMbOf(pid);
  if (m === undefined) throw new Error("the soak reads the daemon's memory from /proc: Linux only");
  samples.push({ t: (performance.now() - start) / 1000, mb: m.rss, anon: m.anon, file: m.file });
  if (process.env.BENCH_VERBOSE) console.error(`${samples.at(-1)!.t.toFixed(0)} s  ${samples.at(-1)!.mb.toFixed(1)} MB  ${JSON.stringify(counts)}`);
};
sample();
const sampler = setInterval(sample, SAMPLE_MS);

const streams = [
  ...Array.from({ length: EVENT_CLIENTS }, () => sseClient('event-stream connections', admin.url('events'), daemon.admin.headers)),
  ...Array.from({ length: FEED_CLIENTS }, () => sseClient('revocation-feed connections', url + REVOCATIONS_PATH, { authorization: basic(rs) })),
];

const interval = 1000 / RATE;
let n = 0;
while (performance.now() - start < SECONDS * 1000) {
  const began = performance.now();
  try {
    await cycle(n++);
  } catch (e) {
    count('errors');
    if (counts.errors! <= 5) console.error(String(e));
  }
  await sleep(Math.max(0, interval - (performance.now() - began)));
}
running = false;
clearInterval(sampler);
sample();
const cpu = cpuSeconds() - cpuAtStart;
const requests = counts['CIBA request + approve + token']! * 3 + counts['token exchange']! + counts.introspection! + counts.revocation! + counts['audit read']!;
await Promise.all(streams);

await daemon.stop();

const s = rssSummary(samples);
const anon = rssSummary(samples.map((x) => ({ t: x.t, mb: x.anon })));
const file = rssSummary(samples.map((x) => ({ t: x.t, mb: x.file })));
console.log(`Mandate daemon soak: ${SECONDS} s, ${RATE} cycles/s, ${samples.length} RSS samples, node ${process.version}`);
console.log(`RSS start                      ${s.start.toFixed(1).padStart(7)} MB`);
console.log(`RSS peak                       ${s.peak.toFixed(1).padStart(7)} MB`);
console.log(`RSS end                        ${s.end.toFixed(1).padStart(7)} MB   (goal ≤ 100 MB)`);
console.log(`RSS slope, second half         ${s.slope.toFixed(2).padStart(7)} MB/min (goal: flat)`);
console.log(`RSS end, anonymous (heaps)     ${anon.end.toFixed(1).padStart(7)} MB   (second-half slope ${anon.slope.toFixed(2)} MB/min)`);
console.log(`RSS end, file-backed (binary)  ${file.end.toFixed(1).padStart(7)} MB   (second-half slope ${file.slope.toFixed(2)} MB/min)`);
console.log(
  `daemon CPU per request           ${((cpu * 1000) / Math.max(1, requests)).toFixed(2).padStart(6)} ms (${requests} requests, ${cpu.toFixed(1)} s CPU)`,
);
console.log(`${'daemon process warnings'.padEnd(30)} ${String(warnings).padStart(7)}`);
console.log(`${'daemon failures logged'.padEnd(30)} ${String(failuresLogged).padStart(7)}`);
for (const [k, v] of Object.entries(counts)) console.log(`${k.padEnd(30)} ${String(v).padStart(7)}`);
