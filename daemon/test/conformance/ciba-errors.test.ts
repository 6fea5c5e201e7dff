/**
 * Must-reject: the CIBA poll-mode error answers (OpenID CIBA §11) and decisions on requests that are no longer
 * open. No token leaves the daemon before, or without, the person's approval.
 */
import { describe, expect, it } from 'vitest';
import { startTestDaemon } from '../harness.js';
import { auditEvents, expectError, grantById, pendingRequests, poll } from './support.js';

async function pending() {
  const d = await startTestDaemon();
  const agent = await d.registerAgent();
  const authReqId = await d.request(agent);
  return { d, agent, authReqId };
}

const tokensIssued = async (d: Awaited<ReturnType<typeof pending>>['d']) => (await auditEvents(d, { type: 'token.issued' })).length;

describe('polling before, or without, approval', () => {
  it('before a decision → 400 authorization_pending', async () => {
    const { d, agent, authReqId } = await pending();
    await expectError(await poll(d, agent, authReqId), 400, 'authorization_pending');
    expect(await tokensIssued(d)).toBe(0);
  });

  it('again immediately → 400 slow_down; and the interval grows by 5 s each time', async () => {
    const { d, agent, authReqId } = await pending();
    await expectError(await poll(d, agent, authReqId), 400, 'authorization_pending');
    await expectError(await poll(d, agent, authReqId), 400, 'slow_down');
    d.clock.advance(5); // the original interval, no longer enough: it is now 10 s
    await expectError(await poll(d, agent, authReqId), 400, 'slow_down');
    d.clock.advance(15);
    await expectError(await poll(d, agent, authReqId), 400, 'authorization_pending');
    expect(await tokensIssued(d)).toBe(0);
  });

  it('after the person denies → 400 access_denied; approving afterwards → 409 conflict', async () => {
    const { d, agent, authReqId } = await pending();
    expect((await d.admin('POST', `/requests/${authReqId}/deny`, { reason: 'not now' })).status).toBe(200);
    await expectError(await poll(d, agent, authReqId), 400, 'access_denied');
    await expectError(await d.admin('POST', `/requests/${authReqId}/approve`, {}), 409, 'conflict');
    await expectError(await poll(d, agent, authReqId), 400, 'access_denied');
    expect(await tokensIssued(d)).toBe(0);
  });

  it('after the request expires (clock +600 s) → 400 expired_token; approve and deny → 409 conflict', async () => {
    const { d, agent, authReqId } = await pending();
    const [request] = await pendingRequests(d);
    d.clock.advance(600);
    await expectError(await poll(d, agent, authReqId), 400, 'expired_token');
    await expectError(await d.admin('POST', `/requests/${authReqId}/approve`, {}), 409, 'conflict');
    await expectError(await d.admin('POST', `/requests/${authReqId}/deny`, {}), 409, 'conflict');
    expect(await pendingRequests(d)).toEqual([]);
    expect((await grantById(d, request?.id ?? '')).status).toBe('expired');
    expect(await tokensIssued(d)).toBe(0);
  });

  it('approve after expiry without any poll in between → 409 conflict', async () => {
    const { d, authReqId } = await pending();
    d.clock.advance(600);
    await expectError(await d.admin('POST', `/requests/${authReqId}/approve`, {}), 409, 'conflict');
    expect(await pendingRequests(d)).toEqual([]);
  });

  it('an approved delegation that expired before the token was collected → 400 expired_token', async () => {
    const { d, agent, authReqId } = await pending();
    expect((await d.admin('POST', `/requests/${authReqId}/approve`, { expires_in: 60 })).status).toBe(200);
    d.clock.advance(61);
    await expectError(await poll(d, agent, authReqId), 400, 'expired_token');
    expect(await tokensIssued(d)).toBe(0);
  });

  it('an approved delegation revoked before the token was collected → 400 access_denied', async () => {
    const { d, agent, authReqId } = await pending();
    const approved = await d.admin('POST', `/requests/${authReqId}/approve`, {});
    const { id } = (await approved.json()) as { id: string };
    expect((await d.admin('POST', `/grants/${id}/revoke`, {})).status).toBe(200);
    await expectError(await poll(d, agent, authReqId), 400, 'access_denied');
    expect(await tokensIssued(d)).toBe(0);
  });
});

describe('auth_req_id is bound to its client', () => {
  it('an unknown auth_req_id → 400 invalid_grant', async () => {
    const { d, agent } = await pending();
    await expectError(await poll(d, agent, 'not-an-auth-req-id'), 400, 'invalid_grant');
  });

  it('another agent polling an approved auth_req_id → 400 invalid_grant, and the owner still gets the token', async () => {
    const { d, agent, authReqId } = await pending();
    const other = await d.registerAgent({ name: 'Other agent' });
    expect((await d.admin('POST', `/requests/${authReqId}/approve`, {})).status).toBe(200);
    await expectError(await poll(d, other, authReqId), 400, 'invalid_grant');
    expect(await tokensIssued(d)).toBe(0);
    expect((await poll(d, agent, authReqId)).status).toBe(200);
  });

  it('the grant id is not an auth_req_id → 400 invalid_grant', async () => {
    const { d, agent, authReqId } = await pending();
    const approved = await d.admin('POST', `/requests/${authReqId}/approve`, {});
    const { id } = (await approved.json()) as { id: string };
    await expectError(await poll(d, agent, id), 400, 'invalid_grant');
  });
});

describe('a decision is made once', () => {
  it('approving twice → 409 conflict', async () => {
    const { d, authReqId } = await pending();
    expect((await d.admin('POST', `/requests/${authReqId}/approve`, {})).status).toBe(200);
    await expectError(await d.admin('POST', `/requests/${authReqId}/approve`, {}), 409, 'conflict');
  });

  it('denying an approved request → 409 conflict, it stays approved', async () => {
    const { d, authReqId } = await pending();
    const approved = await d.admin('POST', `/requests/${authReqId}/approve`, {});
    const { id } = (await approved.json()) as { id: string };
    await expectError(await d.admin('POST', `/requests/${authReqId}/deny`, {}), 409, 'conflict');
    expect((await grantById(d, id)).status).toBe('approved');
  });

  it('approving an unknown request → 404 not_found', async () => {
    const { d } = await pending();
    await expectError(await d.admin('POST', '/requests/grt_unknown/approve', {}), 404, 'not_found');
  });
});
