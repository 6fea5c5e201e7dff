/**
 * The authorization-code flow end to end against the real daemon: discovery (127.0.0.1 and localhost),
 * registration, /authorize as a pending request like a CIBA one, the waiting page (never an Approve button),
 * narrowing by the person, code → tokens with refresh, rotation, revocation, step-up.
 */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_REFRESH_TOKEN } from '#shared/oauth.js';
import { pairExtension } from '../extension-client.js';
import { PERSON } from '../harness.js';
import { MCP, REDIRECT, browse, comeBack, connect, mcpDaemon, okTokens, redeem, refresh, registerClient, startFlow } from './authorize-support.js';
import { auditEvents, expectError, expectInactive, grantById, introspect, pendingRequests } from './support.js';

describe('metadata (RFC 8414)', () => {
  it('names the authorization endpoint, S256, code + refresh grants, public clients, CIMD and registration', async () => {
    const d = await mcpDaemon();
    const m = (await (await fetch(`${d.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(m).toMatchObject({
      issuer: d.url,
      authorization_endpoint: `${d.url}/authorize`,
      registration_endpoint: `${d.url}/register`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      scopes_supported: ['mcp.admin', 'mcp.read', 'mcp.write'],
    });
    expect(m.grant_types_supported).toEqual(expect.arrayContaining([GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_REFRESH_TOKEN]));
    expect(m.token_endpoint_auth_methods_supported).toContain('none');
  });

  it('agrees with the URL it was fetched from, for localhost as for 127.0.0.1', async () => {
    const d = await mcpDaemon();
    const local = `http://localhost:${d.port}`;
    const m = (await (await fetch(`${local}/.well-known/oauth-authorization-server`)).json()) as Record<string, string>;
    expect(m.issuer).toBe(local);
    for (const k of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'jwks_uri']) expect(m[k]!.startsWith(`${local}/`)).toBe(true);
  });

  it('is served from a cache that follows new resource servers and the policy, per loopback name', async () => {
    const d = await mcpDaemon();
    const local = `http://localhost:${d.port}`;
    const fetchDoc = async (base: string) => (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    for (const base of [d.url, local]) expect(await fetchDoc(base)).toMatchObject({ issuer: base, registration_endpoint: `${base}/register` });

    await d.registerAgent({ kind: 'resource_server', name: 'Notes API', resources: ['https://notes.example/'], scopes: ['notes.read'] });
    for (const base of [d.url, local]) expect((await fetchDoc(base)).scopes_supported).toEqual(['mcp.admin', 'mcp.read', 'mcp.write', 'notes.read']);

    const ext = await pairExtension(d); // the browser's managed policy turns registration off at run time
    expect((await ext.request('POST', '/policy/browser', { policy: { allowClientRegistration: false } })).status).toBe(200);
    for (const base of [local, d.url]) {
      const doc = await fetchDoc(base);
      expect(doc.issuer).toBe(base);
      expect(doc).not.toHaveProperty('registration_endpoint');
    }
  });

  it('has no registration_endpoint when policy turns registration off', async () => {
    const d = await mcpDaemon({ policy: { policy: { allowClientRegistration: false }, path: null } });
    const m = (await (await fetch(`${d.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(m.registration_endpoint).toBeUndefined();
  });
});

describe('authorization code + PKCE', () => {
  it('a request waits like a CIBA one; the person narrows it; the tab returns with a code; tokens match', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    expect(client.token_endpoint_auth_method).toBe('none');
    expect(client.client_secret).toBeUndefined();
    const s = await startFlow(d, client.client_id);

    const pending = (await pendingRequests(d)).find((g) => g.id === s.grantId)!;
    expect(pending).toMatchObject({ resource: MCP, requested_scope: ['mcp.read', 'mcp.write'], status: 'pending' });
    expect(pending.agent.name).toBe('Test MCP client (registered itself, not verified)');
    expect((await auditEvents(d, { type: 'request.created' })).map((e) => e.grant_id)).toContain(s.grantId);

    const waiting = await browse(s.waitUrl, { accept: 'text/html' });
    const html = await waiting.text();
    expect(waiting.status).toBe(200);
    expect(html).toContain(`mandate approve ${s.grantId}`);
    expect(html).toContain('http-equiv="refresh"');
    expect(html).not.toMatch(/<button|<form|<script/i);
    expect(waiting.headers.get('content-security-policy')).toContain("default-src 'none'");

    const approved = await d.admin('POST', `/requests/${s.grantId}/approve`, { scope: ['mcp.read'], expires_in: 900 });
    expect(approved.status).toBe(200);
    const back = await comeBack(s.waitUrl);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('iss')).toBe(d.url);
    const tokens = await okTokens(await redeem(d, client.client_id, back.searchParams.get('code')!, s.verifier));
    expect(tokens.scope).toBe('mcp.read');
    expect(tokens.refresh_token).toMatch(/^mrt_/);
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      sub: PERSON,
      act: { sub: client.client_id },
      client_id: client.client_id,
      aud: MCP,
      scope: 'mcp.read',
      grant_id: s.grantId,
    });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300);
    // the tab's work is done: a second visit shows a finished page, never a second code
    const again = await browse(s.waitUrl);
    expect(again.status).toBe(200);
  });

  it('refresh rotates, stays within the approval, and never outlives the grant', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const c = await connect(d, client.client_id, { scope: ['mcp.read'], expires_in: 900 });
    d.clock.advance(400);
    const next = await okTokens(await refresh(d, client.client_id, c.tokens.refresh_token!));
    expect(next.refresh_token).not.toBe(c.tokens.refresh_token);
    expect(decodeJwt(next.access_token).scope).toBe('mcp.read');
    await expectError(await refresh(d, client.client_id, next.refresh_token!, { scope: 'mcp.read mcp.write' }), 400, 'invalid_scope');
    d.clock.advance(450); // 850 s into a 900 s grant
    const last = await okTokens(await refresh(d, client.client_id, next.refresh_token!));
    expect(last.expires_in).toBe(50);
  });

  it('a denial sends the tab back with access_denied and issues nothing', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const s = await startFlow(d, client.client_id);
    expect((await d.admin('POST', `/requests/${s.grantId}/deny`, {})).status).toBe(200);
    const back = await comeBack(s.waitUrl);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('state')).toBe('st-1');
  });

  it('revoking the grant: refresh → invalid_grant, the access token inactive at once', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const rs = await d.registerAgent({ kind: 'resource_server', name: 'Introspector', resources: [MCP] });
    const c = await connect(d, client.client_id);
    expect((await d.admin('POST', `/grants/${c.grantId}/revoke`, {})).status).toBe(200);
    await expectInactive(await introspect(d, rs, c.tokens.access_token));
    await expectError(await refresh(d, client.client_id, c.tokens.refresh_token!), 400, 'invalid_grant');
  });

  it('step-up: asking again for more scope is a new pending request naming what is held and what is added', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    await connect(d, client.client_id, { scope: ['mcp.read'] });
    const s = await startFlow(d, client.client_id, { scope: 'mcp.read mcp.admin' });
    const g = await grantById(d, s.grantId);
    expect(g.status).toBe('pending');
    expect(g.binding_message).toContain('already granted mcp.read; adds mcp.admin');
  });

  it('a second connection gets a new pending request', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const first = await connect(d, client.client_id);
    const second = await startFlow(d, client.client_id);
    expect(second.grantId).not.toBe(first.grantId);
  });
});
