/**
 * Shared helpers for the must-reject catalog: exact error assertions, raw HTTP (for Host tricks),
 * and read-only views of daemon state used to prove that a refusal wrote nothing.
 */
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import * as z from 'zod';
import type { AgentCreated, AuditEventView, GrantView } from '#shared/admin-api.js';
import { OAUTH_ERROR_CODES, type OAuthErrorCode } from '#shared/errors.js';
import { GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE, SIGNING_ALG, TOKEN_TYPE_ACCESS_TOKEN } from '#shared/oauth.js';
import { basic, startTestDaemon, type TestDaemon } from '../harness.js';

const errorBody = z.object({ error: z.enum(OAUTH_ERROR_CODES), error_description: z.string() });
export type ErrorBody = z.infer<typeof errorBody>;

function checkError(
  status: number,
  contentType: string,
  acao: string | null | undefined,
  text: string,
  want: { status: number; code: OAuthErrorCode },
): ErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  const parsed = errorBody.safeParse(json);
  // One comparison so a failure shows status and body together.
  expect({ status, error: parsed.success ? parsed.data.error : json }).toEqual({ status: want.status, error: want.code });
  const body = parsed.success ? parsed.data : errorBody.parse(json);
  expect(body.error_description.trim().length, 'error_description must be a non-empty string').toBeGreaterThan(0);
  expect(contentType).toMatch(/^application\/json/);
  expect(acao ?? null, 'no Access-Control-Allow-Origin on any answer').toBeNull();
  return body;
}

/** Asserts the exact status and `error` code of a `{error, error_description}` answer; returns the body. */
export async function expectError(res: Response, status: number, code: OAuthErrorCode): Promise<ErrorBody> {
  const text = await res.text();
  return checkError(res.status, res.headers.get('content-type') ?? '', res.headers.get('access-control-allow-origin'), text, { status, code });
}

export function expectRawError(res: RawResponse, status: number, code: OAuthErrorCode): ErrorBody {
  return checkError(res.status, res.headers['content-type'] ?? '', res.headers['access-control-allow-origin'], res.text, { status, code });
}

/** RFC 7662: anything not active is exactly `{"active": false}`, nothing more. */
export async function expectInactive(res: Response): Promise<void> {
  const text = await res.text();
  expect({ status: res.status, body: JSON.parse(text) as unknown }).toEqual({ status: 200, body: { active: false } });
}

export async function expectActive(res: Response): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(JSON.parse(text)).toMatchObject({ active: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP: fetch always sends a correct Host, so Host cases go through node:http or a bare socket.

export interface RawResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

/** One request through node:http with exactly the headers given (no automatic Host). */
export function rawRequest(port: number, opts: { method?: string; path: string; headers: Record<string, string>; body?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, setHost: false, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Writes `text` verbatim to a fresh connection and parses the (non-chunked) answer. */
export function rawSocket(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (out += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const split = out.indexOf('\r\n\r\n');
      const head = split === -1 ? out : out.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string | undefined> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, text: split === -1 ? '' : out.slice(split + 4) });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// OAuth calls, spelled out so each test reads as the request it makes.

type Client = Pick<AgentCreated, 'client_id' | 'client_secret'>;

/** POST with a body built by hand (duplicates, raw JSON, other content types). */
export function post(d: TestDaemon, path: string, body: RequestInit['body'], headers: Record<string, string> = {}): Promise<Response> {
  return fetch(d.url + path, { method: 'POST', headers, ...(body !== undefined ? { body } : {}) });
}

export const basicOf = (c: Client): string => basic(c.client_id, c.client_secret);

export function poll(d: TestDaemon, agent: Client, authReqId: string): Promise<Response> {
  return d.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, { id: agent.client_id, secret: agent.client_secret });
}

export function exchange(d: TestDaemon, client: Client, token: string, extra: Record<string, string> = {}): Promise<Response> {
  return d.form(
    '/token',
    { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN, ...extra },
    { id: client.client_id, secret: client.client_secret },
  );
}

export function introspect(d: TestDaemon, client: Client, token: string): Promise<Response> {
  return d.form('/introspect', { token }, { id: client.client_id, secret: client.client_secret });
}

export function revokeToken(d: TestDaemon, client: Client, token: string): Promise<Response> {
  return d.form('/revoke', { token }, { id: client.client_id, secret: client.client_secret });
}

// ---------------------------------------------------------------------------------------------------------------
// State, read through the admin API (and, for "nothing changed", straight from the database).

export async function pendingRequests(d: TestDaemon): Promise<GrantView[]> {
  return (await d.api.call('requests.list')).grants;
}

export async function allGrants(d: TestDaemon): Promise<GrantView[]> {
  return (await d.api.call('grants.list', { all: 'true' })).grants;
}

export async function grantById(d: TestDaemon, id: string): Promise<GrantView> {
  return d.api.call('grants.get', { id });
}

export async function auditEvents(d: TestDaemon, query: Record<string, string> = {}): Promise<AuditEventView[]> {
  return (await d.api.call('audit.list', query)).events;
}

export async function agentCount(d: TestDaemon): Promise<number> {
  return (await d.api.call('agents.list')).agents.length;
}

/** Every row of every table, as text: equal snapshots mean nothing was written. */
export function dbSnapshot(d: TestDaemon): string {
  const tables = d.ctx.db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((t) => t.name);
  const dump: Record<string, unknown[]> = {};
  for (const t of tables) {
    dump[t] = d.ctx.db
      .prepare(`SELECT * FROM "${t}" ORDER BY rowid`)
      .all()
      .map((row) => JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
  }
  return JSON.stringify(dump);
}

/**
 * The daemon's real signing key, read from its database (as a local attacker with file access could: from the
 * file's bytes, or with SQLite once the daemon stops; while it runs it holds the file exclusively, so this reads
 * through its own connection).
 */
export async function daemonSigningKey(d: TestDaemon): Promise<{ kid: string; key: CryptoKey; publicJwk: JWK }> {
  const row = d.ctx.db
    .prepare<[], { kid: string; private_jwk: string; public_jwk: string }>(
      'SELECT kid, private_jwk, public_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    )
    .get();
  if (!row) throw new Error('no signing key in the database');
  const key = (await importJWK(JSON.parse(row.private_jwk) as JWK, SIGNING_ALG)) as CryptoKey;
  return { kid: row.kid, key, publicJwk: JSON.parse(row.public_jwk) as JWK };
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures.

export interface World {
  d: TestDaemon;
  agent: AgentCreated;
  /** A live token of `agent` for MAIL (grant `grantId`). */
  token: string;
  grantId: string;
  /** A second request by `agent`, still pending. */
  authReqId: string;
}

/** Gives `d` the usual world: an agent with a live grant and its token, plus one pending request. */
export async function populate(d: TestDaemon): Promise<World> {
  const agent = await d.registerAgent();
  const { token, grantId } = await d.approvedToken(agent);
  const authReqId = await d.request(agent);
  return { d, agent, token, grantId, authReqId };
}

/** A fresh daemon (closed by the harness after the test) with one agent holding a live grant and its token, plus one pending request. */
export async function world(): Promise<World> {
  return populate(await startTestDaemon());
}

/**
 * A daemon shared by the tests of the enclosing describe block, for tables of refusals that change nothing
 * (each row proves that with before/after comparisons, so a row cannot leak into the next). The clock is never
 * moved and no row trips a failure limiter, so rows stay independent.
 *
 * The harness closes every daemon from startTestDaemon() after each test, so a daemon started in beforeAll would
 * die after the first row. This one is started on startDaemon directly, with the same helpers, and closed in afterAll.
 */
export function sharedDaemon<T>(setup: (d: TestDaemon) => Promise<T>): () => T {
  let value: { v: T } | undefined;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const { d, close } = await startUnmanagedDaemon();
    stop = close;
    value = { v: await setup(d) };
  });
  afterAll(async () => {
    await stop?.();
  });
  return () => {
    if (!value) throw new Error('shared daemon is not running');
    return value.v;
  };
}

/** sharedDaemon() with the usual world: an agent, a live grant and token, a pending request. */
export const sharedWorld = (): (() => World) => sharedDaemon(populate);

/** The harness's TestDaemon without its per-test cleanup; the caller disposes of it. */
async function startUnmanagedDaemon(): Promise<{ d: TestDaemon; close: () => Promise<void> }> {
  const d = await startTestDaemon({ manualCleanup: true });
  return { d, close: () => d.dispose() };
}

/**
 * Rows for `it.each(titled(rows, title))('%s', (_title, row) => …)`: full, unquoted case names in the report
 * (vitest quotes and truncates `$field` interpolations).
 */
export function titled<T>(rows: readonly T[], title: (row: T) => string): [string, T][] {
  return rows.map((row) => [title(row), row]);
}
