/**
 * Helpers for the authorization-code catalog (authorize-*.test.ts): a daemon with one registered MCP resource,
 * clients registered through /register, PKCE pairs, the browser leg of /authorize, and code redemption.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import {
  GRANT_TYPE_AUTHORIZATION_CODE,
  GRANT_TYPE_REFRESH_TOKEN,
  registrationResponse,
  tokenResponse,
  type RegistrationResponse,
  type TokenResponse,
} from '#shared/oauth.js';
import type { DaemonOptions } from '../../src/daemon.js';
import { startTestDaemon, type TestDaemon } from '../harness.js';
import { pendingRequests } from './support.js';

export const MCP = 'https://mcp.example/mcp';
export const REDIRECT = 'http://127.0.0.1:53123/callback';
export const MCP_SCOPES = ['mcp.read', 'mcp.write', 'mcp.admin'];

export async function mcpDaemon(opts: Omit<Partial<DaemonOptions>, 'clock'> = {}): Promise<TestDaemon> {
  const d = await startTestDaemon({
    ...opts,
    mcpClients: { metadataFetch: { allowHttpLoopback: true, timeoutMs: 1000, maxBytes: 5 * 1024 }, ...opts.mcpClients },
  });
  await d.registerAgent({ kind: 'resource_server', name: 'MCP server', resources: [MCP], scopes: MCP_SCOPES });
  return d;
}

export function register(d: TestDaemon, body: unknown): Promise<Response> {
  return fetch(`${d.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export async function registerClient(d: TestDaemon, extra: Record<string, unknown> = {}): Promise<RegistrationResponse> {
  const res = await register(d, { client_name: 'Test MCP client', redirect_uris: [REDIRECT], ...extra });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return registrationResponse.parse(JSON.parse(text));
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(d: TestDaemon, clientId: string, challenge: string, extra: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st-1',
    scope: 'mcp.read mcp.write',
    resource: MCP,
    ...extra,
  };
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  return `${d.url}/authorize?${q.toString()}`;
}

/** What a browser does: GET without following redirects. */
export const browse = (url: string, headers: Record<string, string> = {}): Promise<Response> => fetch(url, { redirect: 'manual', headers });

/** The error a refusal redirected to the client, read from Location (RFC 6749 §4.1.2.1). */
export function redirectedError(res: Response): { error: string | null; state: string | null; iss: string | null; to: string } {
  expect(res.status).toBe(303);
  const loc = new URL(res.headers.get('location') ?? '');
  return { error: loc.searchParams.get('error'), state: loc.searchParams.get('state'), iss: loc.searchParams.get('iss'), to: `${loc.origin}${loc.pathname}` };
}

export interface Started {
  waitUrl: string;
  grantId: string;
  verifier: string;
}

/** /authorize → the waiting page URL, and the pending request it created. */
export async function startFlow(d: TestDaemon, clientId: string, extra: Record<string, string | undefined> = {}): Promise<Started> {
  const pk = pkce();
  const before = new Set((await pendingRequests(d)).map((g) => g.id));
  const res = await browse(authorizeUrl(d, clientId, pk.challenge, extra));
  expect(res.status, await res.clone().text()).toBe(303);
  const waitUrl = res.headers.get('location') ?? '';
  expect(waitUrl).toContain('/authorize/wait?request=');
  const created = (await pendingRequests(d)).filter((g) => !before.has(g.id));
  expect(created).toHaveLength(1);
  return { waitUrl, grantId: created[0]!.id, verifier: pk.verifier };
}

/** The waiting page after the decision: the redirect back to the client, as a URL. */
export async function comeBack(waitUrl: string): Promise<URL> {
  const res = await browse(waitUrl);
  expect(res.status, await res.clone().text()).toBe(303);
  return new URL(res.headers.get('location') ?? '');
}

export function redeem(d: TestDaemon, clientId: string, code: string, verifier: string, extra: Record<string, string> = {}): Promise<Response> {
  return d.form('/token', {
    grant_type: GRANT_TYPE_AUTHORIZATION_CODE,
    client_id: clientId,
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    resource: MCP,
    ...extra,
  });
}

export function refresh(d: TestDaemon, clientId: string, refreshToken: string, extra: Record<string, string> = {}): Promise<Response> {
  return d.form('/token', { grant_type: GRANT_TYPE_REFRESH_TOKEN, client_id: clientId, refresh_token: refreshToken, resource: MCP, ...extra });
}

export async function okTokens(res: Response): Promise<TokenResponse> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return tokenResponse.parse(JSON.parse(text));
}

/** A whole connection approved through the admin API (what `mandate approve` calls): tokens, grant, code and verifier. */
export async function connect(
  d: TestDaemon,
  clientId: string,
  approve: { scope?: string[]; expires_in?: number } = {},
): Promise<{ tokens: TokenResponse; grantId: string; code: string; verifier: string }> {
  const s = await startFlow(d, clientId);
  const ok = await d.admin('POST', `/requests/${s.grantId}/approve`, approve);
  expect(ok.status, await ok.clone().text()).toBe(200);
  const back = await comeBack(s.waitUrl);
  const code = back.searchParams.get('code') ?? '';
  expect(code).not.toBe('');
  const tokens = await okTokens(await redeem(d, clientId, code, s.verifier));
  return { tokens, grantId: s.grantId, code, verifier: s.verifier };
}

/** Rows in the tables that hold what the token endpoint issues. */
export function issuedCounts(d: TestDaemon): { tokens: number; refresh: number } {
  const n = (t: string) => d.ctx.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${t}`).get()!.n;
  return { tokens: n('tokens'), refresh: n('refresh_tokens') };
}
