/**
 * The daemon's hot HTTP paths side by side with references measured in the same run (issue 14's table):
 *
 *   token issuance  Mandate RFC 8693 exchange within a grant  vs node-oidc-provider client_credentials (ES256 JWT)
 *   introspection   Mandate /introspect by a resource server  vs node-oidc-provider opaque-token introspection
 *   metadata        Mandate RFC 8414 metadata                 vs a Hono "hello" on the same server stack
 *
 * Token issuance also prints three durable-write ceilings (bench/peers/durable-ceiling.ts): the same server stack
 * doing nothing per request but the group-committed, fsynced token and audit rows an exchange must write before
 * it answers, then that plus one ES256 signature, then that plus the checks every exchange must make first
 * (client authentication, the form body, the subject token found, its and its grant's rows). The reference writes
 * nothing; the ceilings show the most any durable issuer can reach here.
 * Introspection prints three read ceilings (bench/peers/read-ceiling.ts): the same stack reading the form body,
 * finding the token and reading its and its grant's rows from SQLite, which is what seeing a revocation on the
 * very next call costs at least; that plus authenticating the caller, which RFC 7662 §2.1 requires; and the
 * authenticated answer from a Map (the file held exclusively, as the daemon holds its own, so no other connection
 * can revoke behind it), the bound for a design that keeps revocation state in memory. At the fixed rate, a Hono
 * "hello" driven the same way shows the tail the machine and the load generator add.
 *
 * The ceilings that check a presented token are given the token the daemon is presented (CEILING_TOKEN, an RFC 9068
 * JWT), so they read the same request bytes (bench/peers/ceiling-token.ts).
 *
 * The daemon runs as `npm start` launches it (SHIPPED_NODE_ARGS), and so do the ceilings and the same-document
 * route, which are the same stack doing less, with the young generation the daemon keeps for the RSS goal
 * (bench/peers/daemon-memory.ts): a bound is what a server within all of issue 14's goals can reach, and V8's default
 * grows the young generation past that goal. Introspection also prints its in-memory ceiling with V8's default
 * (`uncapped`, not a bound), to show what the cap costs. The references (node-oidc-provider, the "hello") run on
 * plain node.
 * Each server runs in its own process; autocannon drives it from this one with BENCH_CONNECTIONS (50)
 * connections. Every target first gets BENCH_WARMUP (2) seconds of the same load, unrecorded, so each side is
 * measured with its code compiled; then BENCH_ROUNDS (8) rounds run every target of a row for BENCH_SECONDS (2)
 * each, one after the other, starting from a different target each round: many short windows rather than a few
 * long ones, because a window on this VM can run at half speed, and the more windows a median has, the less one of
 * them moves a row's verdict (bench/README.md, "Eight rounds of 2 s"). A row prints the median of its rounds:
 * req/s, p50/p99 latency and the server's own CPU time per request (user + system, all threads, from
 * /proc/<pid>/stat; Linux only), and the median of the per-round ratios. The req/s ratio is the issue's measure;
 * the CPU ratio does not depend on how the load generator and the server share the machine's cores.
 * Introspection is also driven at a fixed 500 req/s for its p99, evenly paced and open-loop (bench/paced.ts): its latency
 * runs from when each request was due, so neither a stall nor this process's own lateness is hidden.
 * A row whose goal is not met says whether a ceiling that does all the path must do (a bound: `+checks`, `+auth`,
 * `in memory`, the "hello"'s p99, the metadata document behind the daemon's guard) shows that no server on this
 * stack can meet it here (bench/verdict.ts).
 */
import { benchKeyDir, cpuSecondsOf, SHIPPED_NODE_ARGS, sameStackArgs, spawnDaemon, spawnServer, stop } from './daemon.js';
import { ceilingRequest, drive, mandatePaths, peerPaths } from './hot-paths.js';
import { paced } from './paced.js';
import { median } from './stats.js';
import { atLeastVerdict, atMostVerdict } from './verdict.js';

benchKeyDir();
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const FIXED_RATE = Number(process.env.BENCH_FIXED_RATE ?? 500);
const P99_GOAL_MS = 5;

/** One load: where to send it, and the process that answers (whose CPU time is read). */
interface Load {
  url: string;
  pid: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  rate?: number;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU µs per request; undefined where /proc is not there to read. */
  cpu: number | undefined;
  /** The paced load only: p99 of how late this process sent a request after it was due (ms), part of p50 and p99. */
  late?: number;
}

async function load(l: Load, seconds: number): Promise<Figures> {
  if (l.rate) return pacedLoad(l, l.rate, seconds);
  const before = cpuSecondsOf(l.pid);
  const { url, method = 'GET', headers, body } = l;
  const r = await drive({ url, method, ...(headers ? { headers } : {}), ...(body ? { body } : {}) }, { connections: CONNECTIONS, duration: seconds });
  const after = cpuSecondsOf(l.pid);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpu: cpuPerRequest(before, after, r.requests.total) };
}

/** The fixed-rate load: evenly paced and open-loop (bench/paced.ts), over 10 keep-alive connections. */
async function pacedLoad(l: Load, rate: number, seconds: number): Promise<Figures> {
  const before = cpuSecondsOf(l.pid);
  const r = await paced({ url: l.url, method: l.method ?? 'GET', headers: l.headers, body: l.body, rate, seconds, connections: 10 });
  const after = cpuSecondsOf(l.pid);
  return { rps: r.rps, p50: r.p50, p99: r.p99, cpu: cpuPerRequest(before, after, r.sent), late: r.lateP99 };
}

const cpuPerRequest = (before: number | undefined, after: number | undefined, requests: number): number | undefined =>
  before === undefined || after === undefined || requests === 0 ? undefined : ((after - before) * 1e6) / requests;

/**
 * Warms every target, then runs BENCH_ROUNDS rounds of all of them (each round starting one target later), and
 * gives each target's median figures and, per other target, the median of its per-round ratio to the first.
 */
async function measure(targets: Load[]): Promise<{ figures: Figures[]; rpsRatio: number[]; cpuRatio: (number | undefined)[] }> {
  if (WARMUP > 0) for (const t of targets) await load(t, WARMUP);
  const rounds: Figures[][] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round: Figures[] = new Array(targets.length);
    for (let k = 0; k < targets.length; k++) {
      const i = (r + k) % targets.length;
      round[i] = await load(targets[i]!, SECONDS);
    }
    rounds.push(round);
  }
  const of = (i: number, pick: (f: Figures) => number | undefined): number[] =>
    rounds.map((round) => pick(round[i]!)).filter((x): x is number => x !== undefined);
  const mid = (xs: number[]) => (xs.length === 0 ? undefined : median(xs));
  const figures = targets.map((_, i) => ({
    rps: median(of(i, (f) => f.rps)),
    p50: median(of(i, (f) => f.p50)),
    p99: median(of(i, (f) => f.p99)),
    cpu: mid(of(i, (f) => f.cpu)),
    late: mid(of(i, (f) => f.late)),
  }));
  // against the first target (the reference): how many times its rate, and how many times less CPU per request
  const rpsRatio = targets.map((_, i) => median(rounds.map((round) => round[i]!.rps / round[0]!.rps)));
  const cpuRatio = targets.map((_, i) => mid(rounds.flatMap((round) => (round[0]!.cpu !== undefined && round[i]!.cpu ? [round[0]!.cpu / round[i]!.cpu] : []))));
  return { figures, rpsRatio, cpuRatio };
}

// ---- Mandate
const mandate = await spawnDaemon();
const paths = await mandatePaths(mandate);

// ---- references
const peer = await spawnServer(['--import', 'tsx', 'bench/peers/oidc-provider.ts']);
const peerRequests = await peerPaths(peer);
const hello = await spawnServer(['--import', 'tsx', 'bench/peers/hono-hello.ts']);
const metadataDoc = await (await fetch(paths.metadata.url)).text();
/** A server on the daemon's own stack doing less (a ceiling, the same document): run as the daemon runs (sameStackArgs). */
const sameStack = (args: string[], opts?: Parameters<typeof spawnServer>[1]) => spawnServer([...sameStackArgs(), ...args], opts);
const sameDoc = await sameStack(['bench/peers/hono-hello.ts'], { env: { HELLO_BODY: metadataDoc } });
const guardedDoc = await sameStack(['bench/peers/hono-hello.ts', '--guard'], { env: { HELLO_BODY: metadataDoc } });
const ceilingPeer = await sameStack(['bench/peers/durable-ceiling.ts']);
const signingCeilingPeer = await sameStack(['bench/peers/durable-ceiling.ts', '--sign']);
// The ceilings that check a presented token are given the daemon's own, so they read the same request bytes (ceiling-token.ts).
const presented = { env: { CEILING_TOKEN: paths.token } };
const checkingCeilingPeer = await sameStack(['bench/peers/durable-ceiling.ts', '--checks'], presented);
const readCeilingPeer = await sameStack(['bench/peers/read-ceiling.ts'], presented);
const authReadCeilingPeer = await sameStack(['bench/peers/read-ceiling.ts', '--auth'], presented);
const memoryCeilingPeer = await sameStack(['bench/peers/read-ceiling.ts', '--memory', '--auth'], presented);
// the same, with V8's default young generation: what the daemon's memory cap costs on this path (not a bound)
const uncappedMemoryCeilingPeer = await spawnServer([...SHIPPED_NODE_ARGS, '--import', 'tsx', 'bench/peers/read-ceiling.ts', '--memory', '--auth'], presented);

interface Ceiling {
  label: string;
  what: string;
  load: Load;
  /** Does all the path must do and nothing else, so it bounds any server here (bench/verdict.ts); else it skips a required step. */
  bound?: true;
}

interface RowSpec {
  path: string;
  referenceName: string;
  /** ≥ this many times the reference's req/s; 0 for the fixed-rate row, whose goal is Mandate's p99 ≤ 5 ms. */
  goal: number;
  mandate: Load;
  reference: Load;
  /** Ceilings on the same stack: the least work the path must do, and nothing else (bench/peers/*-ceiling.ts). */
  ceilings?: Ceiling[];
}

interface Row extends RowSpec {
  m: Figures;
  ref: Figures;
  ratio: number;
  cpuRatio: number | undefined;
  ceilingFigures: { c: Ceiling; f: Figures; ratio: number; cpuRatio: number | undefined; mandateShare: number }[];
}

async function row(spec: RowSpec): Promise<Row> {
  const ceilings = spec.ceilings ?? [];
  const { figures, rpsRatio, cpuRatio } = await measure([spec.reference, spec.mandate, ...ceilings.map((c) => c.load)]);
  return {
    ...spec,
    ref: figures[0]!,
    m: figures[1]!,
    ratio: rpsRatio[1]!,
    cpuRatio: cpuRatio[1],
    ceilingFigures: ceilings.map((c, k) => ({
      c,
      f: figures[k + 2]!,
      ratio: rpsRatio[k + 2]!,
      cpuRatio: cpuRatio[k + 2],
      mandateShare: rpsRatio[1]! / rpsRatio[k + 2]!,
    })),
  };
}

const rows: Row[] = [];
try {
  rows.push(
    await row({
      path: 'token issuance (RFC 8693 exchange in a grant)',
      referenceName: 'node-oidc-provider client_credentials, ES256 JWT',
      goal: 2,
      mandate: { ...paths.exchange, pid: mandate.pid },
      reference: { ...peerRequests.issue, pid: peer.pid },
      ceilings: [
        { label: 'ceiling', what: 'durable writes only', load: { ...ceilingRequest(ceilingPeer, '/token'), pid: ceilingPeer.pid } },
        {
          label: '+signature',
          what: 'durable writes + ES256 signature',
          load: { ...ceilingRequest(signingCeilingPeer, '/token'), pid: signingCeilingPeer.pid },
        },
        {
          label: '+checks',
          bound: true,
          what: 'that + client authentication, form body, the same JWT subject token found and its token and grant rows read, the Host/Origin guard',
          load: { ...ceilingRequest(checkingCeilingPeer, '/token'), pid: checkingCeilingPeer.pid },
        },
      ],
    }),
  );
  const introspectMandate: Load = { ...paths.introspect, pid: mandate.pid };
  const introspectPeer: Load = { ...peerRequests.introspect, pid: peer.pid };
  const readCeiling = (s: typeof readCeilingPeer): Load => ({ ...ceilingRequest(s, '/introspect'), pid: s.pid });
  rows.push(
    await row({
      path: 'introspection by a resource server',
      referenceName: 'node-oidc-provider opaque-token introspection',
      goal: 3,
      mandate: introspectMandate,
      reference: introspectPeer,
      ceilings: [
        { label: 'ceiling', what: 'form body + the same JWT found, its token and grant rows read', load: readCeiling(readCeilingPeer) },
        { label: '+auth', what: 'that + the caller authenticated, the Host/Origin guard', load: readCeiling(authReadCeilingPeer), bound: true },
        {
          label: 'in memory',
          bound: true,
          what: 'the caller authenticated, the same JWT found, token and grant from a Map, the file held exclusively, the Host/Origin guard',
          load: readCeiling(memoryCeilingPeer),
        },
        {
          label: 'uncapped',
          what: "the same with V8's default young generation, which grows under load where the daemon's cannot, for the RSS goal: not a bound",
          load: readCeiling(uncappedMemoryCeilingPeer),
        },
      ],
    }),
  );
  rows.push(
    await row({
      path: `introspection at a fixed ${FIXED_RATE} req/s (p99 goal ≤ ${P99_GOAL_MS} ms)`,
      referenceName: 'node-oidc-provider, same rate',
      goal: 0,
      mandate: { ...introspectMandate, rate: FIXED_RATE },
      reference: { ...introspectPeer, rate: FIXED_RATE },
      // the tail of a server doing no work at all at the same rate: what the machine and the load generator add
      ceilings: [{ label: 'hello', what: 'Hono "hello", same rate', load: { url: hello.url, pid: hello.pid, rate: FIXED_RATE }, bound: true }],
    }),
  );
  rows.push(
    await row({
      path: 'RFC 8414 metadata',
      referenceName: 'Hono "hello", same server stack',
      goal: 0.6,
      mandate: { ...paths.metadata, pid: mandate.pid },
      reference: { url: hello.url, pid: hello.pid },
      // what sending the document costs by itself, without the guards and routing in front of it
      ceilings: [
        {
          label: 'same doc',
          what: `the same ${Buffer.byteLength(metadataDoc)}-byte document from a bare Hono route`,
          load: { url: sameDoc.url, pid: sameDoc.pid },
        },
        {
          label: '+guard',
          bound: true,
          what: "that behind the daemon's Host/Origin guard and security headers, which every daemon route must have",
          load: { url: guardedDoc.url, pid: guardedDoc.pid },
        },
      ],
    }),
  );
} finally {
  await Promise.all([
    mandate.stop(),
    ...[
      peer,
      hello,
      sameDoc,
      guardedDoc,
      ceilingPeer,
      signingCeilingPeer,
      checkingCeilingPeer,
      readCeilingPeer,
      authReadCeilingPeer,
      memoryCeilingPeer,
      uncappedMemoryCeilingPeer,
    ].map((s) => stop(s.child)),
  ]);
}

const cpu = (x: Figures) => (x.cpu === undefined ? '' : `  cpu ${x.cpu.toFixed(0).padStart(4)} µs`);
/** autocannon gives whole milliseconds; the paced load, fractions (one decimal shown). */
const ms = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1)).padStart(3);
const f = (x: Figures) => `${x.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(x.p50)} ms  p99 ${ms(x.p99)} ms${cpu(x)}`;
const times = (x: number) => `${x.toFixed(2)}×`;
const cpuTimes = (x: number | undefined) => (x === undefined ? '' : `, ${times(x)} less CPU per request`);
console.log(
  `HTTP hot paths: ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${ROUNDS} round(s) of ${SECONDS} s per target (medians), node ${process.version}` +
    `; the daemon as \`npm start\` runs it (node ${SHIPPED_NODE_ARGS.join(' ') || 'without flags'}), so do the ceilings, with its young-generation cap; the references on plain node`,
);
for (const r of rows) {
  const bounds = r.ceilingFigures.filter((c) => c.c.bound);
  const verdict =
    r.goal > 0
      ? atLeastVerdict(
          r.goal,
          r.ratio,
          bounds.map((c) => ({ label: c.c.label, value: c.ratio })),
        )
      : atMostVerdict(
          'p99',
          P99_GOAL_MS,
          'ms',
          r.m.p99,
          bounds.map((c) => ({ label: `a Hono "${c.c.label}" at the same rate`, value: c.f.p99 })),
        );
  console.log(`\n${r.path}\n  Mandate    ${f(r.m)}\n  reference  ${f(r.ref)}   (${r.referenceName})`);
  for (const c of r.ceilingFigures) {
    console.log(
      `  ${c.c.label.padEnd(10)} ${f(c.f)}   (${c.c.what}: ${times(c.ratio)} the reference${cpuTimes(c.cpuRatio)}; Mandate is ${times(c.mandateShare)} it)`,
    );
  }
  if (r.m.late !== undefined) {
    const sides = [['Mandate', r.m], ['reference', r.ref], ...r.ceilingFigures.map((c) => [c.c.label, c.f] as const)] as const;
    const late = sides.map(([name, x]) => `${name} ${ms(x.late ?? 0).trim()}`).join(', ');
    console.log(`  paced      how late the load generator sent requests, p99 ms: ${late} (counted in each p99 above)`);
  }
  console.log(`  ratio      ${times(r.ratio)}${r.cpuRatio === undefined ? '' : ` (CPU ${times(r.cpuRatio)})`}   ${verdict}`);
}
