/**
 * Must-reject: asking for more than the agent's ceiling, approving more than was asked, and renewing with more
 * than was approved. Each refusal is audited and changes nothing. Security checklist item 14.
 */
import { describe, expect, it } from 'vitest';
import { CAL, MAIL, auth, startTestDaemon } from '../harness.js';
import { auditEvents, exchange, expectError, grantById, pendingRequests, titled } from './support.js';

describe('bc-authorize beyond the agent’s ceiling', () => {
  it.each(
    titled(
      [
        { name: 'one scope beyond the ceiling', scope: 'mail.read mail.delete', beyond: ['mail.delete'] },
        { name: 'only scopes beyond the ceiling', scope: 'calendar.write', beyond: ['calendar.write'] },
        { name: 'a scope differing only in case', scope: 'Mail.Read', beyond: ['Mail.Read'] },
        { name: 'a wildcard-looking scope', scope: 'mail.*', beyond: ['mail.*'] },
      ],
      (r) => `${r.name} → 400 invalid_scope, audited request.refused, nothing stored`,
    ),
  )('%s', async (_title, { scope, beyond }) => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    await expectError(await d.form('/bc-authorize', { scope, resource: MAIL }, auth(agent)), 400, 'invalid_scope');
    expect(await pendingRequests(d)).toEqual([]);
    const refused = await auditEvents(d, { outcome: 'refused' });
    expect(refused.map((e) => ({ type: e.type, outcome: e.outcome, agent: e.agent, beyond: e.detail?.beyond_ceiling, error: e.detail?.error }))).toEqual([
      { type: 'request.refused', outcome: 'refused', agent: agent.client_id, beyond, error: 'invalid_scope' },
    ]);
  });

  it.each(
    titled(
      [
        { name: 'a resource the agent is not registered for', resource: CAL },
        { name: 'a path below the registered resource', resource: `${MAIL}admin` },
        { name: 'the registered resource without its trailing slash', resource: 'https://mail.example' },
        { name: 'the registered host over http', resource: 'http://mail.example/' },
        { name: 'the registered host on another port', resource: 'https://mail.example:8443/' },
      ],
      (r) => `resource outside the ceiling (${r.name}) → 400 invalid_target, audited request.refused, nothing stored`,
    ),
  )('%s', async (_title, { resource }) => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    await expectError(await d.form('/bc-authorize', { scope: 'mail.read', resource }, auth(agent)), 400, 'invalid_target');
    expect(await pendingRequests(d)).toEqual([]);
    const refused = await auditEvents(d, { outcome: 'refused' });
    expect(refused.map((e) => [e.type, e.resource, e.detail?.error])).toEqual([['request.refused', resource, 'invalid_target']]);
  });

  it('requested_expiry beyond the longest delegation → 400 invalid_request, audited request.refused', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    await expectError(
      await d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL, requested_expiry: String(24 * 3600 + 1) }, auth(agent)),
      400,
      'invalid_request',
    );
    expect(await pendingRequests(d)).toEqual([]);
    expect((await auditEvents(d, { outcome: 'refused' })).map((e) => e.type)).toEqual(['request.refused']);
  });
});

describe('approval cannot widen the request', () => {
  it('approving a scope that was not requested (though inside the ceiling) → 400 invalid_scope, still pending', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent, { scope: 'mail.read' });
    await expectError(await d.admin('POST', `/requests/${authReqId}/approve`, { scope: ['mail.read', 'mail.send'] }), 400, 'invalid_scope');
    const [pending] = await pendingRequests(d);
    expect(pending?.status).toBe('pending');
    expect(pending?.approved_scope).toBeNull();
    const refused = await auditEvents(d, { outcome: 'refused' });
    expect(refused.map((e) => [e.type, e.detail?.error])).toEqual([['grant.approved', 'invalid_scope']]);
  });

  it('approving a scope beyond the agent’s ceiling → 400 invalid_scope, still pending', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent);
    await expectError(await d.admin('POST', `/requests/${authReqId}/approve`, { scope: ['mail.read', 'mail.delete'] }), 400, 'invalid_scope');
    expect((await pendingRequests(d)).map((g) => g.status)).toEqual(['pending']);
  });

  it('approving for longer than requested → 400 invalid_request, still pending', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent, { requested_expiry: '3600' });
    await expectError(await d.admin('POST', `/requests/${authReqId}/approve`, { expires_in: 3601 }), 400, 'invalid_request');
    const [pending] = await pendingRequests(d);
    expect(pending?.status).toBe('pending');
    expect(pending?.expires_at).toBeNull();
    const refused = await auditEvents(d, { outcome: 'refused' });
    expect(refused.map((e) => [e.type, e.detail?.error])).toEqual([['grant.approved', 'invalid_request']]);
  });
});

describe('token exchange cannot widen the grant', () => {
  it.each(
    titled(
      [
        { name: 'a scope requested but dropped by the person', scope: 'mail.send' },
        { name: 'the approved scope plus a dropped one', scope: 'mail.read mail.send' },
        { name: 'a scope beyond the agent’s ceiling', scope: 'mail.read mail.delete' },
      ],
      (r) => `${r.name} → 400 invalid_scope, audited token.refused, nothing issued`,
    ),
  )('%s', async (_title, { scope }) => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token, grantId } = await d.approvedToken(agent, { approve: { scope: ['mail.read'] } });
    const issued = (await auditEvents(d, { type: 'token.issued' })).length;
    await expectError(await exchange(d, agent, token, { scope }), 400, 'invalid_scope');
    expect((await auditEvents(d, { type: 'token.issued' })).length).toBe(issued);
    const refused = await auditEvents(d, { type: 'token.refused' });
    expect(refused.map((e) => ({ outcome: e.outcome, grant: e.grant_id, scopes: e.scopes, error: e.detail?.error }))).toEqual([
      { outcome: 'refused', grant: grantId, scopes: scope.split(' '), error: 'invalid_scope' },
    ]);
    expect((await grantById(d, grantId)).approved_scope).toEqual(['mail.read']);
  });

  it('control: renewing with the approved scope (or less) works', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token } = await d.approvedToken(agent, { approve: { scope: ['mail.read'] } });
    expect((await exchange(d, agent, token, { scope: 'mail.read' })).status).toBe(200);
    expect((await exchange(d, agent, token)).status).toBe(200);
  });
});
