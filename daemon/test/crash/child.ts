/**
 * The real `mandate daemon` binary as a child process, and the public HTTP surface the crash driver uses.
 * Only public surfaces: the CLI's `--json` ready line, the CLI credential file, and the OAuth/admin API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_CREDENTIAL_FILE } from '../../src/config.js';

const BIN = fileURLToPath(new URL('../../../bin/mandate.js', import.meta.url));

export interface Child {
  proc: ChildProcess;
  url: string;
  adminToken: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** A loopback port free right now. A data directory keeps its port across restarts, as a real install does:
 * the issuer (and so every token's `iss`) names it, and a new port would make every old token inactive. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Spawns the daemon; resolves when it is ready, or rejects with what it printed if it exits first. */
export function spawnDaemon(home: string, port: number): { ready: Promise<Child>; proc: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const proc = spawn(process.execPath, [BIN, 'daemon', '--port', String(port), '--home', home, '--user', 'user:crash@test-host', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code, signal) => r(signal ? null : code)));
  const ready = new Promise<Child>((resolve, reject) => {
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      try {
        const { url } = JSON.parse(out.slice(0, nl)) as { url: string };
        const adminToken = readFileSync(join(home, CLI_CREDENTIAL_FILE), 'utf8').trim();
        resolve({ proc, url, adminToken, exited, stderr: () => err });
      } catch (e) {
        reject(new Error(`unreadable ready line: ${out.slice(0, 200)} (${(e as Error).message})`));
      }
    });
    void exited.then((code) => reject(new Error(`daemon exited (${code}) before it was ready: ${err.trim().slice(0, 500)}`)));
  });
  return { ready, proc, exited, stderr: () => err };
}

export class Api {
  constructor(private readonly d: Pick<Child, 'url' | 'adminToken'>) {}

  admin(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.d.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${this.d.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  form(path: string, params: Record<string, string>, client: { client_id: string; client_secret: string }): Promise<Response> {
    const basic = Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64');
    return fetch(`${this.d.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
  }

  async json<T>(res: Promise<Response>, what: string): Promise<T> {
    const r = await res;
    const text = await r.text();
    if (r.status < 200 || r.status > 299) throw new HttpError(`${what}: ${r.status} ${text.slice(0, 300)}`, r.status);
    return JSON.parse(text) as T;
  }
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
