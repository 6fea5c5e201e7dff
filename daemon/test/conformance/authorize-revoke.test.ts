/**
 * RFC 7009 for public clients (OAuth 2.1): a client registered or described with `token_endpoint_auth_method`
 * `none` revokes its own refresh or access token at /revoke naming itself by `client_id` alone, which ends its
 * grant; another client's token is refused with `unauthorized_client` (§2.1) and nothing is revoked; a
 * confidential client still has to authenticate; and no public client may call /introspect.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDaemon } from '../harness.js';
import { MCP, REDIRECT, connect, mcpDaemon, refresh, registerClient } from './authorize-support.js';
import { auditEvents, dbSnapshot, expectActive, expectError, expectInactive, grantById, introspect } from './support.js';

const publicRevoke = (d: TestDaemon, clientId: string, token: string) => d.form('/revoke', { token, client_id: clientId });

async function connected() {
  const d = await mcpDaemon();
  const rs = await d.registerAgent({ kind: 'resource_server', name: 'Introspector', resources: [MCP] });
  const client = await registerClient(d);
  const c = await connect(d, client.client_id);
  return { d, rs, client, c };
}

describe('a public client revokes its own tokens with client_id alone', () => {
  it('the metadata says so: revocation accepts `none`, introspection does not (RFC 8414)', async () => {
    const d = await mcpDaemon();
    const m = (await (await fetch(`${d.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, string[]>;
    expect(m.revocation_endpoint_auth_methods_supported).toEqual(['none', 'client_secret_basic', 'client_secret_post']);
    expect(m.introspection_endpoint_auth_methods_supported).not.toContain('none');
  });

  it('its refresh token → 200, empty body; the grant ends, the access token goes inactive, the refresh is refused', async () => {
    const { d, rs, client, c } = await connected();
    const res = await publicRevoke(d, client.client_id, c.tokens.refresh_token!);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const g = await grantById(d, c.grantId);
    expect(g.status).toBe('ended');
    await expectInactive(await introspect(d, rs, c.tokens.access_token));
    await expectError(await refresh(d, client.client_id, c.tokens.refresh_token!), 400, 'invalid_grant');
    const ended = await auditEvents(d, { type: 'grant.ended' });
    expect(ended.map((e) => [e.grant_id, e.agent, e.detail?.reason])).toEqual([[c.grantId, client.client_id, 'the client revoked its refresh token']]);
  });

  it('its access token → 200; the grant ends and the refresh token dies with it', async () => {
    const { d, rs, client, c } = await connected();
    expect((await publicRevoke(d, client.client_id, c.tokens.access_token)).status).toBe(200);
    expect((await grantById(d, c.grantId)).status).toBe('ended');
    await expectInactive(await introspect(d, rs, c.tokens.access_token));
    await expectError(await refresh(d, client.client_id, c.tokens.refresh_token!), 400, 'invalid_grant');
  });

  it('an unknown token, or a refresh token already rotated away → 200 and nothing changes', async () => {
    const { d, client, c } = await connected();
    const rotated = (await (await refresh(d, client.client_id, c.tokens.refresh_token!)).json()) as { refresh_token: string };
    const before = dbSnapshot(d);
    for (const token of ['mrt_unknown', 'not-a-token', c.tokens.refresh_token!]) {
      const res = await publicRevoke(d, client.client_id, token);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    }
    expect(dbSnapshot(d)).toBe(before);
    expect((await grantById(d, c.grantId)).status).toBe('approved');
    expect((await refresh(d, client.client_id, rotated.refresh_token)).status).toBe(200);
  });
});

describe('must-reject: revoking what is not yours, and public clients at /introspect', () => {
  for (const kind of ['refresh_token', 'access_token'] as const) {
    it(`another public client presenting the ${kind} → 400 unauthorized_client; nothing revoked, audited as refused`, async () => {
      const { d, rs, client, c } = await connected();
      const other = await registerClient(d, { client_name: 'Other client' });
      const token = kind === 'refresh_token' ? c.tokens.refresh_token! : c.tokens.access_token;
      const err = await expectError(await publicRevoke(d, other.client_id, token), 400, 'unauthorized_client');
      expect(err.error_description).toBe('this token was issued to another client; nothing was revoked (RFC 7009 §2.1)');
      expect((await grantById(d, c.grantId)).status).toBe('approved');
      await expectActive(await introspect(d, rs, c.tokens.access_token));
      const refused = await auditEvents(d, { type: 'token.revoked' });
      expect(refused.map((e) => [e.grant_id, e.outcome, e.detail?.caller])).toEqual([[c.grantId, 'refused', other.client_id]]);
      expect((await refresh(d, client.client_id, c.tokens.refresh_token!)).status).toBe(200);
    });
  }

  it('no client_id at all → 401 invalid_client; nothing revoked', async () => {
    const { d, c } = await connected();
    await expectError(await d.form('/revoke', { token: c.tokens.refresh_token! }), 401, 'invalid_client');
    expect((await grantById(d, c.grantId)).status).toBe('approved');
  });

  it('a confidential registered client naming itself without its secret → 401 invalid_client', async () => {
    const d = await mcpDaemon();
    const conf = await registerClient(d, { token_endpoint_auth_method: 'client_secret_basic' });
    expect(conf.client_secret).toBeTruthy();
    const before = dbSnapshot(d);
    await expectError(await publicRevoke(d, conf.client_id, 'mrt_whatever'), 401, 'invalid_client');
    await expectError(await d.form('/introspect', { token: 'x', client_id: conf.client_id }), 401, 'invalid_client');
    expect(dbSnapshot(d)).toBe(before);
  });

  it('a public client at /introspect → 401 invalid_client, even for its own token; nothing written', async () => {
    const { d, client, c } = await connected();
    const before = dbSnapshot(d);
    const err = await expectError(await d.form('/introspect', { token: c.tokens.access_token, client_id: client.client_id }), 401, 'invalid_client');
    expect(err.error_description).toBe('public clients cannot introspect: introspection is for resource servers, which authenticate');
    expect(dbSnapshot(d)).toBe(before);
  });
});

describe('a client metadata document client (public) revokes its own refresh token', () => {
  let server: Server;
  let docUrl = '';
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ client_id: docUrl, client_name: 'Doc client', redirect_uris: [REDIRECT] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    docUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/client.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('→ 200 and its grant ends; a registered client cannot revoke the document client’s token', async () => {
    const d = await mcpDaemon();
    const c = await connect(d, docUrl);
    const other = await registerClient(d);
    await expectError(await publicRevoke(d, other.client_id, c.tokens.refresh_token!), 400, 'unauthorized_client');
    expect((await grantById(d, c.grantId)).status).toBe('approved');
    expect((await publicRevoke(d, docUrl, c.tokens.refresh_token!)).status).toBe(200);
    expect((await grantById(d, c.grantId)).status).toBe('ended');
  });
});
