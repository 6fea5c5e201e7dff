/**
 * Test harness: the real daemon on a random loopback port with a real SQLite file in a temp dir,
 * and a clock the test can move. Every helper talks real HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { AgentCreated } from '#shared/admin-api.js';
import { type AdminClient, adminClient } from '#shared/admin-client.js';
import { ADMIN_PREFIX } from '#shared/admin-contract.js';
import { GRANT_TYPE_CIBA, bcAuthorizeResponse, tokenResponse } from '#shared/oauth.js';
import { CLI_CREDENTIAL_FILE } from '../src/config.js';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../src/daemon.js';
import { trailKeyDir } from '../src/audit/key.js';
import { TEST_KEY_ROOT } from './test-keys.setup.js';

export { TEST_KEY_ROOT };

export const PERSON = 'user:alice@test-host';
export const MAIL = 'https://mail.example/';
export const CAL = 'https://calendar.example/';

export interface TestClock {
  (): number;
  advance(seconds: number): void;
}

export function testClock(start = 1_800_000_000): TestClock {
  let now = start;
  const clock = (() => now) as TestClock;
  clock.advance = (s: number) => {
    now += s;
  };
  return clock;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

export interface TestDaemon extends RunningDaemon {
  clock: TestClock;
  /** Admin bearer credential (the CLI's, read from its 0600 file). */
  adminToken: string;
  /** The typed admin client (the CLI's credential): `d.api.call('grants.revoke', { id })`. */
  api: AdminClient;
  /** A raw admin request (path below /admin), for must-reject cases that send what no typed client would. */
  admin(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  form(path: string, params: Record<string, string>, auth?: { id: string; secret: string }, headers?: Record<string, string>): Promise<Response>;
  registerAgent(overrides?: Partial<{ name: string; scopes: string[]; resources: string[]; kind: 'agent' | 'resource_server' }>): Promise<AgentCreated>;
  /** bc-authorize with sensible defaults; returns the auth_req_id. */
  request(agent: AgentCreated, params?: Record<string, string>): Promise<string>;
  /** A complete approved flow: request, approve (optionally narrowed), first token. */
  approvedToken(
    agent: AgentCreated,
    opts?: { scope?: string; approve?: { scope?: string[]; expires_in?: number } },
  ): Promise<{ token: string; authReqId: string; grantId: string }>;
  restart(): Promise<TestDaemon>;
  /** Stops the daemon (if running) and removes the temp data dir it made. */
  dispose(): Promise<void>;
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/**
 * `manualCleanup`: the caller disposes of the daemon (e.g. one shared by a describe block in beforeAll);
 * otherwise it is closed and its data dir removed after each test.
 */
export async function startTestDaemon(opts: Partial<DaemonOptions> & { clock?: TestClock; home?: string; manualCleanup?: boolean } = {}): Promise<TestDaemon> {
  const { manualCleanup, ...daemonOpts } = opts;
  const clock = opts.clock ?? testClock();
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'mandate-test-'));
  const daemon = await startDaemon({ home, port: 0, person: PERSON, log: () => {}, sweepIntervalMs: 60_000, ...daemonOpts, clock });
  const ownsHome = opts.home === undefined;
  let stopped = false;
  const dispose = async () => {
    if (!stopped) await daemon.close();
    stopped = true;
    if (ownsHome) {
      rmSync(home, { recursive: true, force: true });
      rmSync(trailKeyDir(daemonOpts.keyDir ?? process.env.MANDATE_KEY_DIR ?? TEST_KEY_ROOT, home), { recursive: true, force: true });
    }
  };
  if (!manualCleanup) cleanups.push(dispose);
  const adminToken = readFileSync(join(home, CLI_CREDENTIAL_FILE), 'utf8').trim();

  const t: TestDaemon = {
    ...daemon,
    clock,
    adminToken,
    api: adminClient(fetch, daemon.url, () => ({ authorization: `Bearer ${adminToken}` })),
    async close() {
      stopped = true;
      await daemon.close();
    },
    dispose,
    admin(method, path, body, headers = {}) {
      return fetch(daemon.url + ADMIN_PREFIX + path, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    },
    form(path, params, auth, headers = {}) {
      return fetch(daemon.url + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(auth ? { authorization: basic(auth.id, auth.secret) } : {}),
          ...headers,
        },
        body: new URLSearchParams(params).toString(),
      });
    },
    async registerAgent(o = {}) {
      return t.api.call('agents.create', {
        name: o.name ?? 'Mail helper',
        kind: o.kind ?? 'agent',
        scopes: o.scopes ?? (o.kind === 'resource_server' ? [] : ['mail.read', 'mail.send']),
        resources: o.resources ?? [MAIL],
      });
    },
    async request(agent, params = {}) {
      const res = await t.form(
        '/bc-authorize',
        { scope: 'mail.read mail.send', resource: MAIL, binding_message: 'Summarise my inbox', requested_expiry: '3600', ...params },
        { id: agent.client_id, secret: agent.client_secret },
      );
      if (res.status !== 200) throw new Error(`bc-authorize failed: ${res.status} ${await res.text()}`);
      return bcAuthorizeResponse.parse(await res.json()).auth_req_id;
    },
    async approvedToken(agent, o = {}) {
      const authReqId = await t.request(agent, o.scope ? { scope: o.scope } : {});
      const grantId = (await t.api.call('requests.approve', { id: authReqId }, o.approve ?? {})).id;
      const res = await t.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, { id: agent.client_id, secret: agent.client_secret });
      if (res.status !== 200) throw new Error(`token failed: ${res.status} ${await res.text()}`);
      return { token: tokenResponse.parse(await res.json()).access_token, authReqId, grantId };
    },
    async restart() {
      if (!stopped) await daemon.close();
      stopped = true;
      return startTestDaemon({ ...opts, clock, home });
    },
  };
  return t;
}

export const auth = (a: AgentCreated) => ({ id: a.client_id, secret: a.client_secret });
