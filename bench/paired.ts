/**
 * Paired measurement of two or more servers on one of issue 14's hot paths: short windows of the same load, one
 * server after the other, the order reversed every other round, so each meets the host's slow spells about as often
 * as the others. It prints each server's median CPU time per request (from /proc, every thread; Linux only), its
 * median per-round ratio to the first server's, its req/s, and every window's figure, so a slow spell shows. This is
 * how bench/README.md's before/after figures are taken: a change of a few microseconds per request cannot be seen in
 * bench/http.ts's three rounds on a host whose windows swing by up to twice.
 *
 *   npm run bench:pair -- <path> <target> <target> [...]
 *
 *   path     exchange | introspection | metadata
 *   target   mandate             this checkout's built daemon, as `npm start` runs it
 *            mandate@<checkout>  another checkout's built daemon (<checkout>/bin/mandate.js), for two builds side by side
 *            reference           node-oidc-provider (exchange: client_credentials; introspection: an opaque token), or
 *                                for metadata the Hono "hello"
 *            durable, +signature, +checks   the exchange ceilings (bench/peers/durable-ceiling.ts)
 *            read, +auth, in-memory         the introspection ceilings (bench/peers/read-ceiling.ts)
 *            same-doc, +guard               the daemon's metadata document from a bare Hono route, and behind the
 *                                           daemon's guard (the metadata bound)
 *   Node flags may follow a target after colons: mandate:--max-semi-space-size=16. The ceilings and documents run as
 *   bench/http.ts runs them, with the daemon's young-generation cap (bench/peers/daemon-memory.ts), which a
 *   --max-semi-space-size of their own replaces: in-memory:--max-semi-space-size=16 is the bound as V8 would size it.
 *
 * BENCH_PAIR_ROUNDS (10) rounds of BENCH_PAIR_SECONDS (3) s per server, after BENCH_PAIR_WARMUP (2) s each unrecorded;
 * BENCH_CONNECTIONS (50) connections. The ceilings are given the first daemon's token, as in bench/http.ts.
 * BENCH_PAIR_GC=1 loads bench/peers/gc-probe.ts into every server and adds the collector's pause time per request,
 * scavenges per 1,000 requests and the young generation's size (watching the collector costs CPU itself).
 * BENCH_PAIR_IDLE=<s> leaves every server idle that long after they have all started, before the warm-up: as a daemon
 * is before its first burst, and as bench/http.ts leaves each server while the others of its row are measured. V8's
 * memory reducer collects an idle heap about 8 s after start-up, and what runs after that is slower (bench/README.md,
 * "The idle daemon"); 0 (the default) starts at once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchKeyDir, cpuSecondsOf, SHIPPED_NODE_ARGS, sameStackArgs, spawnDaemon, spawnServer, stop, type SpawnedServer } from './daemon.js';
import { ceilingRequest, drive, type HotRequest, type MandatePaths, mandatePaths, peerPaths } from './hot-paths.js';
import { median } from './stats.js';

const ROUNDS = Number(process.env.BENCH_PAIR_ROUNDS ?? 10);
const SECONDS = Number(process.env.BENCH_PAIR_SECONDS ?? 3);
const WARMUP = Number(process.env.BENCH_PAIR_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const GC = process.env.BENCH_PAIR_GC === '1';
const IDLE = Number(process.env.BENCH_PAIR_IDLE ?? 0);

const PATHS = ['exchange', 'introspection', 'metadata'] as const;
type PathName = (typeof PATHS)[number];

/** The metadata path's same-stack servers: the daemon's document bare, and behind the daemon's guard. */
const DOCUMENTS = ['same-doc', '+guard'];

/** The ceilings by name: the path each serves, and its bench/peers/ script and arguments. */
const CEILINGS: Record<string, { path: PathName; args: string[] }> = {
  durable: { path: 'exchange', args: ['bench/peers/durable-ceiling.ts'] },
  '+signature': { path: 'exchange', args: ['bench/peers/durable-ceiling.ts', '--sign'] },
  '+checks': { path: 'exchange', args: ['bench/peers/durable-ceiling.ts', '--checks'] },
  read: { path: 'introspection', args: ['bench/peers/read-ceiling.ts'] },
  '+auth': { path: 'introspection', args: ['bench/peers/read-ceiling.ts', '--auth'] },
  'in-memory': { path: 'introspection', args: ['bench/peers/read-ceiling.ts', '--memory', '--auth'] },
};

interface Spec {
  text: string;
  name: string;
  checkout?: string;
  flags: string[];
}

/** `name[@checkout][:flag]...`; refuses what this bench cannot run, with the reason. */
function parseTarget(text: string, path: PathName): Spec {
  const [head = '', ...flags] = text.split(':');
  const at = head.indexOf('@');
  const name = at < 0 ? head : head.slice(0, at);
  const checkout = at < 0 ? undefined : head.slice(at + 1);
  if (checkout !== undefined && (name !== 'mandate' || checkout === '')) throw new Error(`${text}: only "mandate@<checkout>" names another build`);
  const known = name === 'mandate' || name === 'reference' || (DOCUMENTS.includes(name) && path === 'metadata') || CEILINGS[name]?.path === path;
  if (!known) throw new Error(`${text}: not a target of the ${path} path`);
  if (flags.some((f) => !f.startsWith('--'))) throw new Error(`${text}: node flags after ":" start with "--"`);
  return { text, name, ...(checkout === undefined ? {} : { checkout }), flags };
}

interface Target {
  spec: Spec;
  server: SpawnedServer;
  request: HotRequest;
  stop(): Promise<void>;
  gcFile?: string;
  cpu: number[];
  rps: number[];
  gcMicros: number[];
  scavengesPerK: number[];
  youngMb: number[];
}

interface GcTotals {
  scavenges: number;
  scavengeMs: number;
  others: number;
  otherMs: number;
  newSpaceBytes: number;
}

const dir = mkdtempSync(join(tmpdir(), 'mandate-bench-pair-'));
const gcTotals = (t: Target): GcTotals | undefined => (t.gcFile === undefined ? undefined : (JSON.parse(readFileSync(t.gcFile, 'utf8')) as GcTotals));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the targets into `targets` (by position): the daemons first, so the ceilings can be given the first one's token. */
async function start(path: PathName, specs: Spec[], targets: Target[]): Promise<void> {
  let first: MandatePaths | undefined;
  const probe = (i: number) =>
    GC
      ? { args: ['--import', 'tsx', '--import', resolve('bench/peers/gc-probe.ts')], env: { GC_PROBE_OUT: join(dir, `gc-${i}.json`) } }
      : { args: [], env: {} };
  const made = (spec: Spec, server: SpawnedServer, request: HotRequest, i: number, stopIt?: () => Promise<void>): Target => ({
    spec,
    server,
    request,
    stop: stopIt ?? (() => stop(server.child)),
    ...(GC ? { gcFile: probe(i).env.GC_PROBE_OUT } : {}),
    cpu: [],
    rps: [],
    gcMicros: [],
    scavengesPerK: [],
    youngMb: [],
  });
  for (const [i, spec] of specs.entries()) {
    if (spec.name !== 'mandate') continue;
    const p = probe(i);
    const bin = spec.checkout === undefined ? {} : { bin: join(spec.checkout, 'bin/mandate.js') };
    const daemon = await spawnDaemon({ stderr: 'ignore', nodeArgs: [...SHIPPED_NODE_ARGS, ...spec.flags, ...p.args], env: p.env, ...bin });
    const paths = await mandatePaths(daemon);
    first ??= paths;
    const request = path === 'exchange' ? paths.exchange : path === 'introspection' ? paths.introspect : paths.metadata;
    targets[i] = made(spec, daemon, request, i, () => daemon.stop());
  }
  for (const [i, spec] of specs.entries()) {
    if (spec.name === 'mandate') continue;
    const p = probe(i);
    const env = { ...p.env, ...(first ? { CEILING_TOKEN: first.token } : {}) };
    if (spec.name === 'reference') {
      if (path === 'metadata') {
        const hello = await spawnServer([...spec.flags, ...p.args, '--import', 'tsx', 'bench/peers/hono-hello.ts'], { env });
        targets[i] = made(spec, hello, { url: hello.url, method: 'GET' }, i);
      } else {
        const peer = await spawnServer([...spec.flags, ...p.args, '--import', 'tsx', 'bench/peers/oidc-provider.ts'], { env, stderr: 'ignore' });
        const requests = await peerPaths(peer);
        targets[i] = made(spec, peer, path === 'exchange' ? requests.issue : requests.introspect, i);
      }
    } else if (DOCUMENTS.includes(spec.name)) {
      if (first === undefined) throw new Error(`${spec.name} serves the daemon's metadata document: name a "mandate" target too`);
      const doc = await (await fetch(first.metadata.url)).text();
      const guard = spec.name === '+guard' ? ['--guard'] : [];
      const server = await spawnServer([...sameStackArgs([...spec.flags, ...p.args]), 'bench/peers/hono-hello.ts', ...guard], {
        env: { ...env, HELLO_BODY: doc },
      });
      targets[i] = made(spec, server, { url: server.url, method: 'GET' }, i);
    } else {
      const ceiling = CEILINGS[spec.name]!;
      const server = await spawnServer([...sameStackArgs([...spec.flags, ...p.args]), ...ceiling.args], { env });
      targets[i] = made(spec, server, ceilingRequest(server, path === 'exchange' ? '/token' : '/introspect'), i);
    }
  }
}

/** One window of load on `t`; records its figures unless it is the warm-up. */
async function window(t: Target, seconds: number, record: boolean): Promise<void> {
  if (t.gcFile !== undefined) await sleep(300); // the probe writes its totals every 200 ms: let them catch up
  const gcBefore = gcTotals(t);
  const before = cpuSecondsOf(t.server.pid);
  const result = await drive(t.request, { connections: CONNECTIONS, duration: seconds }, t.spec.text);
  const after = cpuSecondsOf(t.server.pid);
  if (!record) return;
  const n = result.requests.total;
  if (before !== undefined && after !== undefined) t.cpu.push(((after - before) * 1e6) / n);
  t.rps.push(n / seconds);
  if (gcBefore === undefined) return;
  await sleep(300);
  const gcAfter = gcTotals(t)!;
  t.gcMicros.push(((gcAfter.scavengeMs - gcBefore.scavengeMs + gcAfter.otherMs - gcBefore.otherMs) * 1000) / n);
  t.scavengesPerK.push(((gcAfter.scavenges - gcBefore.scavenges) * 1000) / n);
  t.youngMb.push(gcAfter.newSpaceBytes / 2 ** 20);
}

/** Each target's per-round CPU per request as a multiple of the first target's in the same round: the median. */
function cpuRatios(targets: Target[]): (number | undefined)[] {
  const base = targets[0]!.cpu;
  return targets.map((t) => (t.cpu.length === base.length && base.length > 0 ? median(t.cpu.map((c, r) => c / base[r]!)) : undefined));
}

async function main(argv: string[]): Promise<void> {
  const [path, ...texts] = argv;
  if (!PATHS.includes(path as PathName) || texts.length < 2) {
    throw new Error(`usage: npm run bench:pair -- <${PATHS.join(' | ')}> <target> <target> [...] (bench/paired.ts lists the targets)`);
  }
  if (!(IDLE >= 0)) throw new Error(`BENCH_PAIR_IDLE=${process.env.BENCH_PAIR_IDLE}: give the seconds to stay idle, 0 or more`);
  const specs = texts.map((t) => parseTarget(t, path as PathName));
  benchKeyDir();
  const targets: Target[] = new Array(specs.length);
  try {
    await start(path as PathName, specs, targets);
    if (IDLE > 0) await sleep(IDLE * 1000);
    if (WARMUP > 0) for (const t of targets) await window(t, WARMUP, false);
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) await window(t, SECONDS, true);
    }
  } finally {
    await Promise.all(targets.filter((t) => t !== undefined).map((t) => t.stop())); // a failed start leaves gaps
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `Paired ${path}: ${ROUNDS} round(s) of ${SECONDS} s per server after ${IDLE > 0 ? `${IDLE} s idle and ` : ''}${WARMUP} s of warm-up, the order reversed every other round; ` +
      `${CONNECTIONS} connections, node ${process.version}; medians, then each window's CPU per request`,
  );
  const width = Math.max(...targets.map((t) => t.spec.text.length));
  const ratios = cpuRatios(targets);
  for (const [i, t] of targets.entries()) {
    const cpu = t.cpu.length === 0 ? 'cpu    n/a' : `cpu ${median(t.cpu).toFixed(1).padStart(6)} µs`;
    const ratio = i === 0 || ratios[i] === undefined ? '' : `  (${ratios[i]!.toFixed(2)}× the first's)`;
    console.log(
      `  ${t.spec.text.padEnd(width)}  ${cpu}${ratio.padEnd(22)}  ${median(t.rps).toFixed(0).padStart(6)} req/s  [${t.cpu.map((c) => c.toFixed(0)).join(' ')}]`,
    );
    if (t.gcMicros.length > 0) {
      console.log(
        `  ${''.padEnd(width)}  gc  ${median(t.gcMicros).toFixed(1).padStart(6)} µs per request, ${median(t.scavengesPerK).toFixed(1)} scavenges per 1,000 requests, young generation ${median(t.youngMb).toFixed(1)} MB`,
      );
    }
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.message);
    process.exit(2);
  },
);
