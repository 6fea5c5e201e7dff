/**
 * Done-when, daemon side: the unmodified MCP SDK clients (1.32 and v2) with a standard OAuthClientProvider connect
 * to an SDK-built MCP server protected by Mandate, approved through the CLI (`mandate approve --scope --for`).
 * Tool call claims match the approval; after `mandate revoke` the next call fails and the SDK's refresh is refused;
 * a second connection is a new pending request. openid-client's code and refresh flows pass too.
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { PERSON, type TestDaemon } from '../harness.js';
import { comeBack } from './authorize-support.js';
import { fetchingProvider, protectedServer } from './authorize-sdk-support.js';
import { pendingRequests } from './support.js';

async function cli(d: TestDaemon, ...argv: string[]): Promise<string> {
  let out = '';
  const code = await runCli([...argv, '--home', d.home, '--port', String(d.port)], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      out += t;
    },
    env: {},
    stopSignal: new Promise(() => {}),
  });
  expect(code, out).toBe(0);
  return out;
}

/** The person's side: one new pending request, approved in the CLI without mcp.admin for 15 minutes; the tab comes back. */
async function approveInCli(d: TestDaemon, p: { waitUrl: string | undefined }): Promise<{ code: string; back: URL; grantId: string }> {
  const pending = await pendingRequests(d);
  expect(pending).toHaveLength(1);
  const g = pending[0]!;
  expect(g.requested_scope).toEqual(['mcp.read', 'mcp.write', 'mcp.admin']);
  expect(g.agent.name).toBe('SDK test client (registered itself, not verified)');
  await cli(d, 'approve', g.id, '--scope', 'mcp.read', '--scope', 'mcp.write', '--for', '15m');
  const back = await comeBack(p.waitUrl!);
  expect(back.searchParams.get('iss')).toBe(d.url);
  return { code: back.searchParams.get('code') ?? '', back, grantId: g.id };
}

function claimsOf(result: unknown): Record<string, unknown> {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return JSON.parse(content[0]!.text) as Record<string, unknown>;
}

describe('@modelcontextprotocol/sdk 1.32 client, CLI approval', () => {
  it('connects, calls a tool with the approved claims, fails after revoke (refresh refused), and asks again', async () => {
    const { d, mcpUrl } = await protectedServer();
    const p = fetchingProvider();
    const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: p });
    await expect(new Client({ name: 't', version: '1' }).connect(first)).rejects.toThrow(/Unauthorized/);
    expect(p.client?.client_id).toMatch(/^mcp_/); // registered dynamically (RFC 7591)
    const { code, grantId } = await approveInCli(d, p);
    await first.finishAuth(code);
    expect(p.saved?.refresh_token).toMatch(/^mrt_/);

    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: p }));
    const claims = claimsOf(await client.callTool({ name: 'whoami', arguments: {} }));
    expect(claims).toMatchObject({ sub: PERSON, act: { sub: p.client!.client_id }, aud: mcpUrl, scope: 'mcp.read mcp.write', grant_id: grantId });
    const grant = d.ctx.grants.get(grantId)!;
    expect(grant.expires_at! - grant.decided_at!).toBe(900);

    await cli(d, 'revoke', grantId);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    const refused = d.ctx.audit.query({ type: 'token.refused', limit: 50 });
    expect(refused.some((e) => e.grant_id === grantId)).toBe(true);
    await client.close();

    // a second connection: a new pending request the person sees
    const before = p.authorizations;
    await expect(new Client({ name: 't', version: '1' }).connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: p }))).rejects.toThrow();
    expect(p.authorizations).toBeGreaterThan(before);
    const pending = await pendingRequests(d);
    expect(pending.map((g) => g.id)).not.toContain(grantId);
    expect(pending.length).toBeGreaterThan(0);
  });
});

describe('@modelcontextprotocol/client 2.x, CLI approval', () => {
  it('connects (checking iss, RFC 9207), calls a tool with the approved claims, fails after revoke, and asks again', async () => {
    const { d, mcpUrl } = await protectedServer();
    const p = fetchingProvider();
    const first = new TransportV2(new URL(mcpUrl), { authProvider: p });
    await expect(new ClientV2({ name: 't', version: '1' }).connect(first)).rejects.toThrow();
    const { back, grantId } = await approveInCli(d, p);
    await first.finishAuth(back.searchParams);
    const client = new ClientV2({ name: 't', version: '1' });
    await client.connect(new TransportV2(new URL(mcpUrl), { authProvider: p }));
    const claims = claimsOf(await client.callTool({ name: 'whoami', arguments: {} }));
    expect(claims).toMatchObject({ sub: PERSON, act: { sub: p.client!.client_id }, aud: mcpUrl, scope: 'mcp.read mcp.write', grant_id: grantId });

    await cli(d, 'revoke', grantId);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    expect(d.ctx.audit.query({ type: 'token.refused', limit: 50 }).some((e) => e.grant_id === grantId)).toBe(true);
    await client.close();
    const before = p.authorizations;
    await expect(new ClientV2({ name: 't', version: '1' }).connect(new TransportV2(new URL(mcpUrl), { authProvider: p }))).rejects.toThrow();
    expect(p.authorizations).toBeGreaterThan(before);
    expect((await pendingRequests(d)).map((g) => g.id)).not.toContain(grantId);
  });
});

describe('openid-client 6: authorization code + refresh', () => {
  it('discovers (localhost too), redeems a code with PKCE and refreshes', async () => {
    const { d, mcpUrl } = await protectedServer();
    const reg = (await (
      await fetch(`${d.url}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'openid-client', redirect_uris: ['http://127.0.0.1:53999/cb'] }),
      })
    ).json()) as { client_id: string };
    for (const host of [d.url, `http://localhost:${d.port}`]) {
      const c = await oidc.discovery(new URL(host), reg.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' });
      expect(c.serverMetadata().issuer).toBe(host);
    }
    const config = await oidc.discovery(new URL(d.url), reg.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:53999/cb',
      scope: 'mcp.read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      resource: mcpUrl,
      state: 'xyz',
    });
    const res = await fetch(url, { redirect: 'manual' });
    const waitUrl = res.headers.get('location')!;
    const [g] = await pendingRequests(d);
    await cli(d, 'approve', g!.id);
    const back = await comeBack(waitUrl);
    const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: 'xyz' }, { resource: mcpUrl });
    expect(tokens.scope).toBe('mcp.read');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: mcpUrl });
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: mcpUrl })).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
