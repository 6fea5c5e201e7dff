/** A real Mandate daemon for one test (or one worker): temp home, free loopback port, a movable clock. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { agentCreated, auditEventView, grantList, grantView, type AuditEventView, type GrantView } from '#shared/admin-api.js';
import { policySchema, type Policy } from '#shared/policy.js';
import { startDaemon, type RunningDaemon } from '../../../daemon/src/daemon.js';
import * as z from 'zod';

export type { AuditEventView as AuditEvent, GrantView as Grant, Policy };

/** Client credentials of an agent registered with the daemon. */
export interface AgentCredentials {
  name: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  resources: string[];
}

/** An agent (or, with `kind: 'resource_server'`, an API that introspects tokens) to register. */
export interface NewAgent {
  name: string;
  scopes?: string[];
  resources: string[];
  kind?: 'agent' | 'resource_server';
}

export interface TestDaemon {
  url: string;
  /** The daemon's data directory (temporary). */
  home: string;
  person: string;
  pairingCode(): string;
  /** An authenticated admin API call (`/admin` + path). */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  addAgent(agent: NewAgent): Promise<AgentCredentials>;
  grants(opts?: { all?: boolean }): Promise<GrantView[]>;
  /** Requests waiting for the person's decision. */
  pending(): Promise<GrantView[]>;
  audit(query?: { type?: string; agent?: string; outcome?: string }): Promise<AuditEventView[]>;
  revoke(grantId: string): Promise<GrantView>;
  expire(grantId: string): Promise<GrantView>;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

const BIN = resolve(import.meta.dirname, '../../../../bin/mandate.js');
const run = promisify(execFile);

async function ok<T>(res: Response, schema: z.ZodType<T>): Promise<T> {
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`Mandate daemon answered ${res.status}: ${JSON.stringify(body)}`);
  return schema.parse(body);
}

export async function startTestDaemon(opts: { person: string; policy?: Policy; clockOffset?: number }): Promise<TestDaemon> {
  const home = mkdtempSync(join(tmpdir(), 'mandate-kit-home-'));
  const keyDir = mkdtempSync(join(tmpdir(), 'mandate-kit-keys-'));
  let offset = opts.clockOffset ?? 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const policy = opts.policy === undefined ? undefined : { policy: policySchema.parse(opts.policy), path: null };
  const daemon: RunningDaemon = await startDaemon({
    home,
    port: 0,
    person: opts.person,
    log: () => {},
    clock,
    keyDir,
    ...(policy ? { policy } : {}),
  });
  const credential = () => readFileSync(join(home, 'cli-credential'), 'utf8').trim();
  const admin: TestDaemon['admin'] = (method, path, body) =>
    fetch(`${daemon.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${credential()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const grant = async (id: string) => ok(await admin('GET', `/grants/${encodeURIComponent(id)}`), grantView);
  return {
    url: daemon.url,
    home,
    person: opts.person,
    pairingCode: () => daemon.pairingCode.code,
    admin,
    async addAgent(agent) {
      const a = await ok(await admin('POST', '/agents', agent), agentCreated);
      return { name: a.name, clientId: a.client_id, clientSecret: a.client_secret, scopes: a.scopes, resources: a.resources };
    },
    async grants({ all = true } = {}) {
      return (await ok(await admin('GET', `/grants?all=${all}`), grantList)).grants;
    },
    async pending() {
      return (await ok(await admin('GET', '/requests'), grantList)).grants;
    },
    async audit(query = {}) {
      const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
      return (await ok(await admin('GET', `/audit?${q}`), z.object({ events: z.array(auditEventView) }))).events;
    },
    async revoke(grantId) {
      return ok(await admin('POST', `/grants/${encodeURIComponent(grantId)}/revoke`, {}), grantView);
    },
    async expire(grantId) {
      const g = await grant(grantId);
      if (g.expires_at === null) throw new Error(`grant ${grantId} is ${g.status}: only an approved grant can expire`);
      offset += Math.max(0, g.expires_at - clock()) + 1;
      daemon.sweep();
      return grant(grantId);
    },
    async cli(...args) {
      try {
        const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--home', home, '--port', String(daemon.port)], {
          env: { ...process.env, MANDATE_KEY_DIR: keyDir },
        });
        return { code: 0, stdout, stderr };
      } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
      }
    },
    async close() {
      await daemon.close().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
