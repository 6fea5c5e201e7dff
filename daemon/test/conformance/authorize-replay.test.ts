/**
 * Must-reject: code replay (revokes what the first use issued), refresh reuse (ends the grant, audited),
 * refresh after revoke or expiry, a code or refresh token presented by another client.
 */
import { describe, expect, it } from 'vitest';
import { MCP, comeBack, connect, issuedCounts, mcpDaemon, redeem, refresh, registerClient, startFlow } from './authorize-support.js';
import { auditEvents, expectError, expectInactive, grantById, introspect } from './support.js';

describe('an authorization code is single use', () => {
  it('a second use → 400 invalid_grant; the grant is revoked, so the first token and refresh token die', async () => {
    const d = await mcpDaemon();
    const rs = await d.registerAgent({ kind: 'resource_server', name: 'Introspector', resources: [MCP] });
    const client = await registerClient(d);
    const c = await connect(d, client.client_id);
    const before = issuedCounts(d);
    await expectError(await redeem(d, client.client_id, c.code, c.verifier), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual(before);
    expect((await grantById(d, c.grantId)).status).toBe('revoked');
    await expectInactive(await introspect(d, rs, c.tokens.access_token));
    await expectError(await refresh(d, client.client_id, c.tokens.refresh_token!), 400, 'invalid_grant');
    const revoked = await auditEvents(d, { type: 'grant.revoked' });
    expect(revoked.map((e) => [e.grant_id, e.detail?.reason])).toContainEqual([c.grantId, 'authorization code replayed']);
  });

  it('a code presented by another client → 400 invalid_grant, nothing issued', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const other = await registerClient(d);
    const c = await connect(d, client.client_id);
    const before = issuedCounts(d);
    await expectError(await redeem(d, other.client_id, c.code, c.verifier), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual(before);
  });

  it('an expired code → 400 invalid_grant, nothing issued', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const s = await startFlow(d, client.client_id);
    await d.admin('POST', `/requests/${s.grantId}/approve`, {});
    const code = (await comeBack(s.waitUrl)).searchParams.get('code')!;
    d.clock.advance(61);
    await expectError(await redeem(d, client.client_id, code, s.verifier), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual({ tokens: 0, refresh: 0 });
  });
});

describe('refresh tokens rotate', () => {
  it('reusing a rotated refresh token → 400 invalid_grant, ends the grant, audited; the new one dies too', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const c = await connect(d, client.client_id);
    const rotated = (await (await refresh(d, client.client_id, c.tokens.refresh_token!)).json()) as { refresh_token: string };
    const before = issuedCounts(d);
    await expectError(await refresh(d, client.client_id, c.tokens.refresh_token!), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual(before);
    expect((await grantById(d, c.grantId)).status).toBe('revoked');
    await expectError(await refresh(d, client.client_id, rotated.refresh_token), 400, 'invalid_grant');
    const refused = await auditEvents(d, { type: 'token.refused' });
    expect(refused.map((e) => [e.grant_id, e.detail?.error, e.detail?.reason])).toContainEqual([
      c.grantId,
      'invalid_grant',
      'refresh_token was already used; the delegation is ended',
    ]);
    const revoked = await auditEvents(d, { type: 'grant.revoked' });
    expect(revoked.map((e) => [e.grant_id, e.detail?.reason])).toContainEqual([c.grantId, 'refresh token reused']);
  });

  it('after the person revokes → 400 invalid_grant, nothing issued', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const c = await connect(d, client.client_id);
    expect((await d.admin('POST', `/grants/${c.grantId}/revoke`, {})).status).toBe(200);
    const before = issuedCounts(d);
    await expectError(await refresh(d, client.client_id, c.tokens.refresh_token!), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual(before);
  });

  it('after the grant expires → 400 invalid_grant, nothing issued', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const c = await connect(d, client.client_id, { expires_in: 600 });
    d.clock.advance(600);
    const before = issuedCounts(d);
    await expectError(await refresh(d, client.client_id, c.tokens.refresh_token!), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual(before);
    expect((await grantById(d, c.grantId)).status).toBe('expired');
  });

  it('presented by another client → 400 invalid_grant, the grant untouched', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const other = await registerClient(d);
    const c = await connect(d, client.client_id);
    await expectError(await refresh(d, other.client_id, c.tokens.refresh_token!), 400, 'invalid_grant');
    expect((await grantById(d, c.grantId)).status).toBe('approved');
  });

  it('for another resource → 400 invalid_target, nothing issued', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const c = await connect(d, client.client_id);
    const before = issuedCounts(d);
    await expectError(await refresh(d, client.client_id, c.tokens.refresh_token!, { resource: 'https://other.example/' }), 400, 'invalid_target');
    expect(issuedCounts(d)).toEqual(before);
  });

  it('a registered client cannot use CIBA or token exchange → 400 unauthorized_client', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const c = await connect(d, client.client_id);
    const res = await d.form('/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      client_id: client.client_id,
      subject_token: c.tokens.access_token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    await expectError(res, 400, 'unauthorized_client');
  });
});
