/**
 * Times process starts from a small process of their own, for the cold-start and CLI rows of bench/scale.ts.
 *
 * Why a process of their own: Linux copies a parent's page tables when it spawns a child, so a start timed from a
 * parent holding a large heap pays for that heap. bench/scale.ts holds about 750 MB after seeding a million audit
 * rows, and a bare `node -e ""` spawned from it took 72.7 ms to exit against 51.7 ms from the same process before
 * seeding (medians of 9; bench/README.md, "Cold start timed from a small process"). A service manager or a shell
 * that starts the daemon is small, so the clock runs in one that is too: this file, spawned with the job on stdin,
 * answering with the times on stdout.
 *
 * Every round starts each target once, in turn, the order reversed every other round, so a slow spell of the
 * machine falls on all targets alike; one untimed round comes first (the clock's own first HTTP call, the page
 * cache). A target is timed from spawn to its exit (`until: 'exit'`, which must be 0) or to the end of the first
 * answered metadata request after its JSON start line (`until: 'answer'`; then stopped with SIGTERM, untimed).
 * Targets run with the clock's environment, less the variables a target names in `unsetEnv`. What a server target
 * writes to stderr (a daemon's "SIGTERM: stopping" at every round) is shown only when its start or answer fails.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { collectText, spawnServer, stop } from './daemon.js';

export interface SpawnTarget<Name extends string = string> {
  name: Name;
  /** Arguments for node (this process's node binary). */
  args: string[];
  until: 'exit' | 'answer';
  /** Environment variables removed for this target (bench/scale.ts: the daemon's service environment). */
  unsetEnv?: string[];
}

export interface SpawnJob<Name extends string = string> {
  rounds: number;
  targets: SpawnTarget<Name>[];
}

/** Milliseconds per start, by target name, in round order. */
export type SpawnTimes<Name extends string = string> = Record<Name, number[]>;

/** Runs `job` in a fresh clock process (with this process's environment) and resolves with its times. */
export async function timeSpawns<Name extends string>(job: SpawnJob<Name>): Promise<SpawnTimes<Name>> {
  const clock = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = collectText(clock.stdout);
  const said = collectText(clock.stderr);
  const code = await new Promise<number | null>((resolve, reject) => {
    clock.once('error', reject);
    clock.once('close', resolve);
    clock.stdin.end(JSON.stringify(job));
  });
  const err = said();
  if (code !== 0) throw new Error(`the spawn clock exited ${String(code)}${err.trim() ? `: ${err.trim()}` : ''}`);
  if (err) process.stderr.write(err);
  return JSON.parse(out()) as SpawnTimes<Name>;
}

/** The clock's environment less `unset`, as child_process takes it: a variable set to undefined is not passed. */
const envLess = (unset: readonly string[] = []): NodeJS.ProcessEnv => ({ ...process.env, ...Object.fromEntries(unset.map((name) => [name, undefined])) });

async function timeOne(target: SpawnTarget): Promise<number> {
  const env = envLess(target.unsetEnv);
  const t0 = performance.now();
  if (target.until === 'exit') {
    const child = spawn(process.execPath, target.args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const code = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`${target.name}: node ${target.args.join(' ')} exited ${String(code)}`);
    return performance.now() - t0;
  }
  const server = await spawnServer(target.args, { env, stderr: 'pipe' });
  const said = server.child.stderr ? collectText(server.child.stderr) : () => '';
  try {
    const res = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${target.name}: metadata answered ${res.status}`);
    return performance.now() - t0;
  } catch (e) {
    const text = said().trim();
    throw new Error(`${target.name}: ${e instanceof Error ? e.message : String(e)}${text ? `; it said: ${text}` : ''}`);
  } finally {
    await stop(server.child);
  }
}

async function run(job: SpawnJob): Promise<SpawnTimes> {
  const times: SpawnTimes = Object.fromEntries(job.targets.map((t) => [t.name, []]));
  for (const t of job.targets) await timeOne(t); // untimed round
  for (let round = 0; round < job.rounds; round++) {
    for (const t of round % 2 ? [...job.targets].reverse() : job.targets) times[t.name]!.push(await timeOne(t));
  }
  return times;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  process.stdout.write(JSON.stringify(await run(JSON.parse(input) as SpawnJob)));
}
