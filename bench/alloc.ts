/**
 * Garbage per request on issue 14's hot paths, side by side with the references bench/http.ts uses, in one run.
 *
 * Each server runs with bench/peers/heap-sampler.ts loaded: V8's sampling heap profiler, counting objects the
 * collector has already freed, so the profile weighs every allocation a request makes, not what stays alive. Each
 * path gets BENCH_ALLOC_WARMUP (5000) requests unrecorded, then BENCH_ALLOC_REQUESTS (10000) sampled, from
 * BENCH_ALLOC_CONNECTIONS (10) connections. A row prints the bytes per request of both sides and their ratio; then
 * the frames that allocate most of Mandate's bytes, per path.
 *
 * Why bytes as well as CPU: every byte is garbage the young-generation collector sweeps later, so it costs CPU on
 * each request and sets how often a scavenge stops the server (the fixed-rate tail). And unlike CPU time, it does
 * not move with the machine's load: a change of a few hundred bytes shows here in any run, where bench/http.ts's
 * CPU figures on a noisy machine cannot resolve it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchKeyDir, SHIPPED_NODE_ARGS, type SpawnedServer, spawnDaemon, spawnServer, stop } from './daemon.js';
import { drive, type HotRequest, mandatePaths, peerPaths } from './hot-paths.js';

const REQUESTS = Number(process.env.BENCH_ALLOC_REQUESTS ?? 10_000);
const WARMUP = Number(process.env.BENCH_ALLOC_WARMUP ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_ALLOC_CONNECTIONS ?? 10);
const TOP = 6;

const SAMPLER = ['--import', 'tsx', '--import', resolve('bench/peers/heap-sampler.ts')];
const dir = mkdtempSync(join(tmpdir(), 'mandate-bench-alloc-'));

/** A server with the sampler loaded: where its profile goes, and a wait for the sampler's next stderr line. */
interface Sampled {
  server: SpawnedServer;
  out: string;
  next(line: 'started' | 'written'): Promise<void>;
}

function sampled(server: SpawnedServer, out: string): Sampled {
  let buf = '';
  const waiting: { line: string; done: () => void }[] = [];
  server.child.stderr?.on('data', (b: Buffer) => {
    buf += b.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const i = waiting.findIndex((w) => line === `heap-sample ${w.line}`);
      if (i >= 0) waiting.splice(i, 1)[0]!.done();
    }
  });
  return {
    server,
    out,
    next: (line) =>
      new Promise<void>((done) => {
        waiting.push({ line, done });
        process.kill(server.pid, 'SIGUSR2');
      }),
  };
}

/** One node of a V8 sampling heap profile (`HeapProfiler.SamplingHeapProfileNode`). */
interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

interface Garbage {
  perRequest: number;
  /** Self bytes per request by frame (function and file), largest first. */
  frames: [string, number][];
}

async function garbage(s: Sampled, request: HotRequest): Promise<Garbage> {
  const fire = (amount: number) => drive(request, { connections: CONNECTIONS, amount });
  if (WARMUP > 0) await fire(WARMUP);
  await s.next('started');
  await fire(REQUESTS);
  await s.next('written');
  const head = (JSON.parse(readFileSync(s.out, 'utf8')) as { head: ProfileNode }).head;
  const byFrame = new Map<string, number>();
  let total = 0;
  const walk = (n: ProfileNode) => {
    if (n.selfSize > 0) {
      total += n.selfSize;
      const file = n.callFrame.url.split('/').pop() || '(native)';
      const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
      byFrame.set(key, (byFrame.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c);
  };
  walk(head);
  const frames = [...byFrame].map(([k, v]): [string, number] => [k, v / REQUESTS]).sort((a, b) => b[1] - a[1]);
  return { perRequest: total / REQUESTS, frames };
}

benchKeyDir();
/** Where each server's sampler writes its profile (HEAP_SAMPLE_OUT). */
const OUT = { mandate: join(dir, 'mandate.json'), peer: join(dir, 'peer.json'), hello: join(dir, 'hello.json') };
const mandate = await spawnDaemon({ nodeArgs: [...SHIPPED_NODE_ARGS, ...SAMPLER], env: { HEAP_SAMPLE_OUT: OUT.mandate }, stderr: 'pipe' });
const peer = await spawnServer([...SAMPLER, 'bench/peers/oidc-provider.ts'], { env: { HEAP_SAMPLE_OUT: OUT.peer }, stderr: 'pipe' });
const hello = await spawnServer([...SAMPLER, 'bench/peers/hono-hello.ts'], { env: { HEAP_SAMPLE_OUT: OUT.hello }, stderr: 'pipe' });

const rows: { path: string; referenceName: string; m: Garbage; ref: Garbage }[] = [];
try {
  const paths = await mandatePaths(mandate);
  const peerRequests = await peerPaths(peer);
  const m = sampled(mandate, OUT.mandate);
  const p = sampled(peer, OUT.peer);
  const h = sampled(hello, OUT.hello);
  for (const [path, referenceName, ms, mr, rs, rr] of [
    ['token issuance (RFC 8693 exchange in a grant)', 'node-oidc-provider client_credentials, ES256 JWT', m, paths.exchange, p, peerRequests.issue],
    ['introspection by a resource server', 'node-oidc-provider opaque-token introspection', m, paths.introspect, p, peerRequests.introspect],
    ['RFC 8414 metadata', 'Hono "hello", same server stack', m, paths.metadata, h, { url: hello.url, method: 'GET' }],
  ] as const) {
    rows.push({ path, referenceName, m: await garbage(ms, mr), ref: await garbage(rs, rr) });
  }
} finally {
  await Promise.all([mandate.stop(), stop(peer.child), stop(hello.child)]);
  rmSync(dir, { recursive: true, force: true });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(6)} KB`;
console.log(
  `Garbage per request (V8's sampling heap profiler, freed objects counted): ${REQUESTS} requests after ${WARMUP} of warm-up, ${CONNECTIONS} connections, node ${process.version}`,
);
for (const r of rows) {
  console.log(`\n${r.path}`);
  console.log(`  Mandate    ${kb(r.m.perRequest)}`);
  console.log(`  reference  ${kb(r.ref.perRequest)}   (${r.referenceName})`);
  console.log(`  ratio      ${(r.m.perRequest / r.ref.perRequest).toFixed(2)}× the reference's bytes per request`);
}
for (const r of rows) {
  console.log(`\nWhere Mandate's ${r.path.split(' (')[0]} allocates (self bytes per request, top ${TOP} frames):`);
  for (const [frame, bytes] of r.m.frames.slice(0, TOP)) console.log(`  ${bytes.toFixed(0).padStart(6)} B  ${frame}`);
}
