import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { grantList, grantView } from '#shared/admin-api.js';
import {
  GRANT_TYPE_CIBA,
  GRANT_TYPE_TOKEN_EXCHANGE,
  TOKEN_TYPE_ACCESS_TOKEN,
  authorizationServerMetadata,
  introspectionResponse,
  tokenResponse,
} from '#shared/oauth.js';
import { MAIL, PERSON, auth, startTestDaemon } from './harness.js';

const exchangeParams = (token: string, extra: Record<string, string> = {}) => ({
  grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
  subject_token: token,
  subject_token_type: TOKEN_TYPE_ACCESS_TOKEN,
  ...extra,
});

describe('the approval flow, end to end over real HTTP and a real SQLite file', () => {
  it('request → pending → approve fewer scopes for 10 minutes → token → introspect → revoke → inactive', async () => {
    const d = await startTestDaemon();
    const meta = authorizationServerMetadata.parse(await (await fetch(`${d.url}/.well-known/oauth-authorization-server`)).json());
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining([GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE]));
    expect(meta.backchannel_authentication_endpoint).toBe(`${d.url}/bc-authorize`);

    const agent = await d.registerAgent();
    const authReqId = await d.request(agent, { scope: 'mail.read mail.send', binding_message: 'Summarise my inbox' });
    // 256 random bits behind a prefix, so the id never starts with "-" (it would read as a CLI option)
    expect(authReqId).toMatch(/^ar_[A-Za-z0-9_-]{43}$/);

    const pending = grantList.parse(await (await d.admin('GET', '/requests')).json()).grants;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      status: 'pending',
      agent: { client_id: agent.client_id, name: 'Mail helper' },
      resource: MAIL,
      requested_scope: ['mail.read', 'mail.send'],
      binding_message: 'Summarise my inbox',
      requested_duration: 3600,
    });

    const poll = () => d.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, auth(agent));
    const early = await poll();
    expect(early.status).toBe(400);
    expect(await early.json()).toMatchObject({ error: 'authorization_pending' });

    const approved = await d.admin('POST', `/requests/${pending[0]!.id}/approve`, { scope: ['mail.read'], expires_in: 600 });
    expect(approved.status).toBe(200);
    const grant = grantView.parse(await approved.json());
    expect(grant).toMatchObject({ status: 'approved', approved_scope: ['mail.read'], expires_at: d.clock() + 600, decided_by: PERSON, decided_via: 'cli' });

    d.clock.advance(5);
    const res = await poll();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = tokenResponse.parse(await res.json());
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'mail.read', expires_in: 300 });

    // RFC 9068 token that verifies against the published JWKS
    const header = decodeProtectedHeader(body.access_token);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(meta.jwks_uri)), {
      issuer: d.url,
      audience: MAIL,
      typ: 'at+jwt',
      algorithms: ['ES256'],
      currentDate: new Date(d.clock() * 1000),
    });
    expect(Object.keys(payload).sort()).toEqual(['act', 'aud', 'client_id', 'exp', 'grant_id', 'iat', 'iss', 'jti', 'scope', 'sub']);
    expect(payload).toMatchObject({
      iss: d.url,
      sub: PERSON,
      act: { sub: agent.client_id },
      client_id: agent.client_id,
      aud: MAIL,
      scope: 'mail.read',
      grant_id: grant.id,
      iat: d.clock(),
      exp: d.clock() + 300,
    });

    const introspect = async () => introspectionResponse.parse(await (await d.form('/introspect', { token: body.access_token }, auth(agent))).json());
    expect(await introspect()).toMatchObject({ active: true, scope: 'mail.read', sub: PERSON, aud: MAIL, grant_id: grant.id });

    const revoked = await d.admin('POST', `/grants/${grant.id}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(await introspect()).toEqual({ active: false });
    const renewal = await d.form('/token', exchangeParams(body.access_token), auth(agent));
    expect(renewal.status).toBe(400);
    expect(await renewal.json()).toMatchObject({ error: 'invalid_grant' });

    const verify = await (await d.admin('GET', '/audit/verify')).json();
    expect(verify).toMatchObject({ ok: true, first_broken: null });
    const types = ((await (await d.admin('GET', '/audit?limit=100')).json()) as { events: { type: string }[] }).events.map((e) => e.type).reverse();
    expect(types).toEqual([
      'admin.pairing_code_created',
      'client.registered',
      'request.created',
      'grant.approved',
      'token.issued',
      'grant.revoked',
      'token.introspected_inactive',
      'token.refused',
    ]);
  });

  it('renews within the grant by token exchange: fresh jti, same or fewer scopes, never past the grant', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token, grantId } = await d.approvedToken(agent, { approve: { expires_in: 420 } });

    d.clock.advance(200);
    const res = await d.form('/token', exchangeParams(token, { scope: 'mail.read' }), auth(agent));
    expect(res.status).toBe(200);
    const renewed = tokenResponse.parse(await res.json());
    expect(renewed).toMatchObject({ scope: 'mail.read', issued_token_type: TOKEN_TYPE_ACCESS_TOKEN, expires_in: 220 });
    const claims = introspectionResponse.parse(await (await d.form('/introspect', { token: renewed.access_token }, auth(agent))).json());
    expect(claims).toMatchObject({ active: true, grant_id: grantId, exp: d.clock() + 220 });
    const first = introspectionResponse.parse(await (await d.form('/introspect', { token }, auth(agent))).json());
    expect(first.active && claims.active && first.jti !== claims.jti).toBe(true);

    d.clock.advance(221);
    const late = await d.form('/token', exchangeParams(renewed.access_token), auth(agent));
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('renews a lapsed token while the grant lives, and not after', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token } = await d.approvedToken(agent, { approve: { expires_in: 1800 } });
    d.clock.advance(900); // the token expired 10 minutes ago; the agent was idle
    expect(await (await d.form('/introspect', { token }, auth(agent))).json()).toEqual({ active: false });
    const renewed = await d.form('/token', exchangeParams(token), auth(agent));
    expect(renewed.status).toBe(200);
    const fresh = tokenResponse.parse(await renewed.json());
    expect(await (await d.form('/introspect', { token: fresh.access_token }, auth(agent))).json()).toMatchObject({ active: true });
    const stranger = await d.registerAgent({ name: 'Other' });
    expect((await d.form('/token', exchangeParams(token), auth(stranger))).status).toBe(400);
    d.clock.advance(901); // now past the grant
    const late = await d.form('/token', exchangeParams(token), auth(agent));
    expect(await late.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('echoes RFC 9396 authorization_details in the token and introspection', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const details = [{ type: 'email', actions: ['read'], locations: [MAIL], folder: 'inbox' }];
    const authReqId = await d.request(agent, { scope: 'mail.read', authorization_details: JSON.stringify(details) });
    const pending = grantList.parse(await (await d.admin('GET', '/requests')).json()).grants;
    expect(pending[0]!.authorization_details).toEqual(details);
    await d.admin('POST', `/requests/${authReqId}/approve`, {});
    const token = tokenResponse.parse(await (await d.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, auth(agent))).json());
    expect(token.authorization_details).toEqual(details);
    const claims = await (await d.form('/introspect', { token: token.access_token }, auth(agent))).json();
    expect(claims).toMatchObject({ active: true, authorization_details: details });
  });

  it('lets a registered resource server introspect tokens for its resource only', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const rs = await d.registerAgent({ kind: 'resource_server', name: 'Mail API', resources: [MAIL] });
    const { token } = await d.approvedToken(agent);
    expect(await (await d.form('/introspect', { token }, auth(rs))).json()).toMatchObject({ active: true, aud: MAIL });
    const bc = await d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL }, auth(rs));
    expect(bc.status).toBe(400);
    expect(await bc.json()).toMatchObject({ error: 'unauthorized_client' });
  });

  it('lets an agent end its own grant when the task is done (RFC 7009)', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token, grantId } = await d.approvedToken(agent);
    const res = await d.form('/revoke', { token, token_type_hint: 'access_token' }, auth(agent));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const g = grantView.parse(await (await d.admin('GET', `/grants/${grantId}`)).json());
    expect(g).toMatchObject({ status: 'ended', ended_by: agent.client_id });
    expect(await (await d.form('/introspect', { token }, auth(agent))).json()).toEqual({ active: false });
  });

  it('revoke all ends every live grant at once', async () => {
    const d = await startTestDaemon();
    const a = await d.registerAgent();
    const b = await d.registerAgent({ name: 'Calendar bot' });
    const t1 = await d.approvedToken(a);
    const t2 = await d.approvedToken(b);
    const res = await d.admin('POST', '/grants/revoke-all', {});
    expect(((await res.json()) as { revoked: string[] }).revoked.sort()).toEqual([t1.grantId, t2.grantId].sort());
    for (const [t, who] of [
      [t1.token, a],
      [t2.token, b],
    ] as const) {
      expect(await (await d.form('/introspect', { token: t }, auth(who))).json()).toEqual({ active: false });
    }
    expect(grantList.parse(await (await d.admin('GET', '/grants')).json()).grants).toEqual([]);
    expect(grantList.parse(await (await d.admin('GET', '/grants?all=true')).json()).grants.map((g) => g.status)).toEqual(['revoked', 'revoked']);
  });

  it('removing an agent revokes its live grants and denies its pending requests', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token } = await d.approvedToken(agent);
    await d.request(agent);
    const res = await d.admin('DELETE', `/agents/${agent.client_id}`);
    expect(res.status).toBe(200);
    expect(await (await d.admin('GET', '/requests')).json()).toMatchObject({ grants: [] });
    const again = await d.form('/introspect', { token }, auth(agent));
    expect(again.status).toBe(401);
    expect(
      grantList
        .parse(await (await d.admin('GET', '/grants?all=true')).json())
        .grants.map((g) => g.status)
        .sort(),
    ).toEqual(['denied', 'revoked']);
  });

  it('expires grants and pending requests on time, with an audit row each', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token } = await d.approvedToken(agent, { approve: { expires_in: 60 } });
    await d.request(agent);
    d.clock.advance(61);
    // the token is inactive at once, before any sweep runs
    expect(await (await d.form('/introspect', { token }, auth(agent))).json()).toEqual({ active: false });
    d.clock.advance(600);
    d.sweep();
    const all = grantList.parse(await (await d.admin('GET', '/grants?all=true')).json()).grants;
    expect(all.map((g) => g.status)).toEqual(['expired', 'expired']);
    const events = ((await (await d.admin('GET', '/audit')).json()) as { events: { type: string }[] }).events.map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['grant.expired', 'request.expired']));
  });

  it('denial reaches the polling agent as access_denied', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent);
    expect((await d.admin('POST', `/requests/${authReqId}/deny`, { reason: 'not now' })).status).toBe(200);
    const res = await d.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, auth(agent));
    expect(await res.json()).toMatchObject({ error: 'access_denied' });
  });
});
