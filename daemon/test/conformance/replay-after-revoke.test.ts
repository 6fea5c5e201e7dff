/**
 * Must-reject: replaying an auth_req_id that already delivered its token, and using a token after its grant was
 * revoked (by the person) or ended (by the agent). Security checklist items 11 and 17.
 */
import { describe, expect, it } from 'vitest';
import { tokenResponse } from '#shared/oauth.js';
import { MAIL, auth, startTestDaemon } from '../harness.js';
import { auditEvents, exchange, expectActive, expectError, expectInactive, grantById, introspect, poll, revokeToken, world } from './support.js';

describe('an auth_req_id delivers one token', () => {
  it('polling again after the token was delivered → 400 invalid_grant, audited token.refused', async () => {
    const w = await world();
    const { authReqId, grantId } = await w.d.approvedToken(w.agent);
    const issued = (await auditEvents(w.d, { type: 'token.issued' })).length;
    await expectError(await poll(w.d, w.agent, authReqId), 400, 'invalid_grant');
    w.d.clock.advance(60);
    await expectError(await poll(w.d, w.agent, authReqId), 400, 'invalid_grant');
    expect((await auditEvents(w.d, { type: 'token.issued' })).length).toBe(issued);
    expect((await auditEvents(w.d, { type: 'token.refused' })).map((e) => [e.grant_id, e.detail?.error])).toEqual([
      [grantId, 'invalid_grant'],
      [grantId, 'invalid_grant'],
    ]);
  });
});

describe('after the person revokes the grant', () => {
  it('exchange → 400 invalid_grant, introspection {active:false}, a second revoke → 409 conflict', async () => {
    const w = await world();
    const rs = await w.d.registerAgent({ kind: 'resource_server', name: 'Mail API', resources: [MAIL] });
    await expectActive(await introspect(w.d, rs, w.token));
    const revoked = await w.d.admin('POST', `/grants/${w.grantId}/revoke`, {});
    expect(revoked.status).toBe(200);
    await expectInactive(await introspect(w.d, w.agent, w.token));
    await expectInactive(await introspect(w.d, rs, w.token));
    await expectError(await exchange(w.d, w.agent, w.token), 400, 'invalid_grant');
    await expectError(await w.d.admin('POST', `/grants/${w.grantId}/revoke`, {}), 409, 'conflict');
    expect((await grantById(w.d, w.grantId)).status).toBe('revoked');
  });

  it('every token of the grant dies with it, including ones renewed before the revoke', async () => {
    const w = await world();
    const renewed = tokenResponse.parse(await (await exchange(w.d, w.agent, w.token)).json()).access_token;
    await expectActive(await introspect(w.d, w.agent, renewed));
    expect((await w.d.admin('POST', `/grants/${w.grantId}/revoke`, {})).status).toBe(200);
    for (const token of [w.token, renewed]) {
      await expectInactive(await introspect(w.d, w.agent, token));
      await expectError(await exchange(w.d, w.agent, token), 400, 'invalid_grant');
    }
  });

  it('revoke-all: exchange → 400 invalid_grant, introspection {active:false}', async () => {
    const w = await world();
    const second = await w.d.approvedToken(w.agent);
    expect((await w.d.admin('POST', '/grants/revoke-all', {})).status).toBe(200);
    for (const token of [w.token, second.token]) {
      await expectInactive(await introspect(w.d, w.agent, token));
      await expectError(await exchange(w.d, w.agent, token), 400, 'invalid_grant');
    }
  });

  it('polling a delivered auth_req_id after the revoke → 400 invalid_grant', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { authReqId, grantId } = await d.approvedToken(agent);
    expect((await d.admin('POST', `/grants/${grantId}/revoke`, {})).status).toBe(200);
    await expectError(await poll(d, agent, authReqId), 400, 'invalid_grant');
  });

  it('removing the agent revokes its grants: its token is inactive for the resource server', async () => {
    const w = await world();
    const rs = await w.d.registerAgent({ kind: 'resource_server', name: 'Mail API', resources: [MAIL] });
    expect((await w.d.admin('DELETE', `/agents/${w.agent.client_id}`)).status).toBe(200);
    await expectInactive(await introspect(w.d, rs, w.token));
    expect((await grantById(w.d, w.grantId)).status).toBe('revoked');
  });

  it('revoking a request that is still pending → 409 conflict, it stays pending', async () => {
    const w = await world();
    await expectError(await w.d.admin('POST', `/grants/${w.authReqId}/revoke`, {}), 409, 'conflict');
    expect((await grantById(w.d, w.authReqId)).status).toBe('pending');
  });
});

describe('after the agent revokes its own token (RFC 7009: task done)', () => {
  it('answers 200 with an empty body, the grant is ended, exchange → 400 invalid_grant, introspection {active:false}', async () => {
    const w = await world();
    const res = await revokeToken(w.d, w.agent, w.token);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const g = await grantById(w.d, w.grantId);
    expect([g.status, g.ended_by]).toEqual(['ended', w.agent.client_id]);
    await expectError(await exchange(w.d, w.agent, w.token), 400, 'invalid_grant');
    await expectInactive(await introspect(w.d, w.agent, w.token));
  });

  it('revoking again → 200 (idempotent); the person revoking the ended grant → 409 conflict', async () => {
    const w = await world();
    expect((await revokeToken(w.d, w.agent, w.token)).status).toBe(200);
    const again = await revokeToken(w.d, w.agent, w.token);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe('');
    await expectError(await w.d.admin('POST', `/grants/${w.grantId}/revoke`, {}), 409, 'conflict');
    expect((await grantById(w.d, w.grantId)).status).toBe('ended');
  });

  it('/revoke with an unknown token → 200 with an empty body, nothing changes', async () => {
    const w = await world();
    for (const token of ['not-a-token', 'eyJhbGciOiJub25lIn0.e30.']) {
      const res = await revokeToken(w.d, w.agent, token);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    }
    expect((await grantById(w.d, w.grantId)).status).toBe('approved');
    await expectActive(await introspect(w.d, w.agent, w.token));
  });

  it('another agent revoking the token → 400 unauthorized_client (RFC 7009 §2.1); the grant stays approved and the token active (audited as refused)', async () => {
    const w = await world();
    const other = await w.d.registerAgent({ name: 'Other agent' });
    await expectError(await revokeToken(w.d, other, w.token), 400, 'unauthorized_client');
    expect((await grantById(w.d, w.grantId)).status).toBe('approved');
    await expectActive(await introspect(w.d, w.agent, w.token));
    const refused = await auditEvents(w.d, { type: 'token.revoked' });
    expect(refused.map((e) => [e.outcome, e.detail?.caller])).toEqual([['refused', other.client_id]]);
  });

  it('the token’s resource server revoking it → 400 unauthorized_client; the grant stays approved', async () => {
    const w = await world();
    const rs = await w.d.registerAgent({ kind: 'resource_server', name: 'Mail API', resources: [MAIL] });
    await expectError(await revokeToken(w.d, rs, w.token), 400, 'unauthorized_client');
    expect((await grantById(w.d, w.grantId)).status).toBe('approved');
    await expectActive(await introspect(w.d, w.agent, w.token));
  });

  it('a revoked agent cannot start over with the same credentials after removal (401 invalid_client)', async () => {
    const w = await world();
    expect((await w.d.admin('DELETE', `/agents/${w.agent.client_id}`)).status).toBe(200);
    await expectError(await w.d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL }, auth(w.agent)), 401, 'invalid_client');
    await expectError(await exchange(w.d, w.agent, w.token), 401, 'invalid_client');
  });
});
