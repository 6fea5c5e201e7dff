/**
 * The one way a benchmark runs a Mandate daemon: `spawnDaemon` starts the built daemon (bin/mandate.js) in a
 * child process on a free loopback port, waits for its JSON start line and reads its admin credential;
 * `adminOf` gives the admin credential and a call helper for any running daemon (also one started in-process
 * with `startDaemon`); `stop` ends it with SIGTERM and waits for the exit. Benchmark daemons keep their audit
 * keys in a temporary folder (MANDATE_KEY_DIR), never the user's config directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { CLI_CREDENTIAL_FILE } from '../daemon/src/config.js';

export const BIN = 'bin/mandate.js';

/**
 * The flags `npm start` gives the daemon's node (package.json: `node <flags> bin/mandate.js daemon`), which the
 * service files in docs/examples give it too. Benchmarks run the daemon with them unless told otherwise, so they
 * measure it as it is launched; bench/test/daemon.test.ts checks the service files agree.
 */
export const SHIPPED_NODE_ARGS: readonly string[] = shippedNodeArgs();

function shippedNodeArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  const m = /^node((?: --[\w-]+(?:=\S+)?)*) bin\/mandate\.js daemon$/.exec(scripts.start ?? '');
  if (!m) throw new Error(`package.json "start" is not \`node [flags] bin/mandate.js daemon\`: ${scripts.start}`);
  return m[1]!.split(' ').filter(Boolean);
}

/**
 * Node arguments for a server on the daemon's stack doing less (a ceiling, the same-document route): the daemon's
 * flags, then `flags` of its own, tsx, and the young generation the daemon keeps for the RSS goal
 * (peers/daemon-memory.ts). Run like the daemon, so that a ceiling bounds what a server within every goal can reach.
 */
export function sameStackArgs(flags: readonly string[] = []): string[] {
  return [...SHIPPED_NODE_ARGS, ...flags, '--import', 'tsx', '--import', resolve('bench/peers/daemon-memory.ts')];
}

/** Sets MANDATE_KEY_DIR to a fresh temporary folder unless the caller chose one; returns it. */
export function benchKeyDir(): string {
  process.env.MANDATE_KEY_DIR ??= mkdtempSync(join(tmpdir(), 'mandate-bench-keys-'));
  return process.env.MANDATE_KEY_DIR;
}

/** The admin credential the daemon wrote into its data directory (what the CLI uses). */
export function readCredential(home: string): string {
  return readFileSync(join(home, CLI_CREDENTIAL_FILE), 'utf8').trim();
}

export interface Admin {
  credential: string;
  headers: { authorization: string };
  /** An admin API call (`path` below the admin prefix, e.g. `/agents`); throws on a non-2xx answer. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** A one-use pairing code for the extension's options page. */
  pairingCode(): Promise<string>;
}

/** The admin side of a running daemon at `url` whose data directory is `home`. */
export function adminOf(url: string, home: string): Admin {
  const credential = readCredential(home);
  const headers = { authorization: `Bearer ${credential}` };
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${url}/admin${path}`, {
      method,
      headers: { ...headers, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
  return {
    credential,
    headers,
    call,
    async pairingCode() {
      return (await call<{ code: string }>('POST', '/pairing-codes', {})).code;
    },
  };
}

export interface SpawnOptions {
  /** The `mandate` entry to run (default this checkout's bin/mandate.js; another build's for before/after rows). */
  bin?: string;
  /** Data directory; default a fresh temporary one, removed by `stop()`. */
  home?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Flags for the daemon's node (before bin/mandate.js); default SHIPPED_NODE_ARGS, `[]` for plain node. */
  nodeArgs?: readonly string[];
  /** The daemon's stderr: shown here (default), piped to `child.stderr`, or dropped. */
  stderr?: 'inherit' | 'pipe' | 'ignore';
}

export interface SpawnedDaemon extends SpawnedServer {
  home: string;
  admin: Admin;
  /** SIGTERM, then waits for the exit; removes the data directory if it was made here. */
  stop(): Promise<void>;
}

export interface SpawnedServer {
  url: string;
  pid: number;
  child: ChildProcess;
  /** The whole JSON start line (a reference server may add fields, e.g. the read ceiling's known token). */
  start: Record<string, unknown>;
}

/**
 * Starts `node <args>` (a daemon, or a reference server in bench/peers/) and resolves once its first stdout line,
 * JSON with its `url`, arrives; later stdout is drained and dropped.
 */
export async function spawnServer(
  args: string[],
  opts: Pick<SpawnOptions, 'env' | 'stderr'> & { /** CPUs to pin the process to (Linux `taskset -c`). */ cpus?: string } = {},
): Promise<SpawnedServer> {
  const [command, argv] = opts.cpus === undefined ? [process.execPath, args] : ['taskset', ['-c', opts.cpus, process.execPath, ...args]];
  const child = spawn(command, argv, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', opts.stderr ?? 'inherit'] });
  const start = await new Promise<{ url: string } & Record<string, unknown>>((resolve, reject) => {
    let buf = '';
    let started = false;
    const failed = (code: number | null, said: string) =>
      reject(new Error(`${args.join(' ')} exited (${code}) before its start line${said.trim() ? `: ${said.trim()}` : ''}`));
    // A piped stderr is read from the exit to the close (Node drops what nobody reads after an exit), so what the
    // server said is part of the error.
    const onExit = (code: number | null) => {
      const stderr = opts.stderr === 'pipe' ? child.stderr : null;
      if (!stderr) return failed(code, '');
      const said = collectText(stderr);
      child.once('close', () => failed(code, said()));
    };
    child.once('exit', onExit);
    child.stdout?.on('data', (b: Buffer) => {
      if (started) return;
      buf += b.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      started = true;
      child.off('exit', onExit);
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as { url: string } & Record<string, unknown>);
      } catch (e) {
        reject(e);
      }
    });
  });
  return { url: start.url, pid: child.pid ?? 0, child, start };
}

/** Starts the built daemon in a child process and resolves once it answers with its JSON start line. */
export async function spawnDaemon(opts: SpawnOptions = {}): Promise<SpawnedDaemon> {
  if (!existsSync(BIN) || !existsSync('dist/daemon/mandate.cjs')) throw new Error('benchmarks run the built daemon: run `npm run build:daemon` first');
  benchKeyDir();
  const ownHome = opts.home === undefined;
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'mandate-bench-'));
  const server = await spawnServer([...(opts.nodeArgs ?? SHIPPED_NODE_ARGS), opts.bin ?? BIN, 'daemon', '--port', '0', '--home', home, '--json'], opts);
  let admin: Admin | undefined;
  return {
    ...server,
    home,
    /** Read on first use, so a cold-start timing does not include it. */
    get admin() {
      admin ??= adminOf(server.url, home);
      return admin;
    },
    async stop() {
      await stop(server.child);
      if (ownHome) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Collects what `stream` emits from now on; the result reads it as text so far. */
export function collectText(stream: Readable): () => string {
  let text = '';
  stream.on('data', (b: Buffer) => {
    text += b.toString();
  });
  return () => text;
}

/** SIGTERM and wait for the exit (at once if it already exited). */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}

/**
 * CPU time a process has used so far, every thread counted (utime + stime from /proc/<pid>/stat, in USER_HZ
 * ticks, 100 a second on Linux), in seconds; undefined where there is no /proc to read.
 */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Resident memory of a process in MB, from /proc/<pid>/status: all of it, anonymous (the heaps, SQLite's cache, malloc) and file-backed (the node binary and addons); undefined where /proc is not there. */
export function residentMbOf(pid: number): { rss: number; anon: number; file: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const mb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm'))?.[1] ?? Number.NaN) / 1024;
  return { rss: mb('VmRSS'), anon: mb('RssAnon'), file: mb('RssFile') };
}
