/**
 * Every row the daemon writes matches the typed catalog (shared/src/audit-events.ts), and an append whose
 * detail does not match its type does not compile.
 */
import { describe, expect, it } from 'vitest';
import { parseAuditDetail } from '#shared/audit-events.js';
import type { AuditLog } from '../src/audit/log.js';
import { CAL, auth } from './harness.js';
import { auditEvents, exchange, introspect, poll, populate, revokeToken } from './conformance/support.js';
import { startTestDaemon } from './harness.js';

describe('audit rows follow the catalog', () => {
  it('a day of requests, decisions, tokens, refusals and revocations writes only rows that parse by type', async () => {
    const d = await startTestDaemon({ policy: { policy: { maxDelegationMinutes: 30, alwaysAskScopes: ['cal.write'] }, path: '/etc/mandate/policy.json' } });
    const w = await populate(d);
    const cal = await d.registerAgent({ name: 'Calendar', scopes: ['mail.read', 'cal.write'] });
    await d.form('/bc-authorize', { scope: 'mail.read', resource: CAL, binding_message: 'x' }, auth(w.agent)); // request.refused
    await d.form('/token', { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: 'nope' }, { id: w.agent.client_id, secret: 'wrong' });
    await exchange(d, w.agent, w.token, { resource: CAL }); // token.refused
    await introspect(d, cal, w.token); // token.introspected_inactive
    await d.admin('POST', `/requests/${encodeURIComponent(w.authReqId)}/approve`, { scope: ['mail.read', 'cal.write'] }); // grant.approved refused
    await d.admin('POST', `/requests/${encodeURIComponent(w.authReqId)}/deny`, {});
    const { token } = await d.approvedToken(cal, { scope: 'mail.read cal.write' });
    await exchange(d, cal, token); // token.refused (always ask)
    await revokeToken(d, w.agent, w.token); // grant.ended
    await d.admin('POST', '/grants/revoke-all', {});
    const late = await d.request(w.agent, { requested_expiry: '7200' }); // capped to 30 minutes
    d.clock.advance(3600);
    await poll(d, w.agent, late); // request.expired
    await d.admin('DELETE', `/agents/${w.agent.client_id}`);
    const rows = await auditEvents(d, { limit: '500' });
    const types = new Set(rows.map((r) => r.type));
    for (const t of [
      'request.created',
      'request.refused',
      'request.expired',
      'client.auth_failed',
      'token.introspected_inactive',
      'client.removed',
      'grant.approved',
      'grant.denied',
      'grant.ended',
      'grant.revoked',
      'token.issued',
      'token.refused',
    ]) {
      expect(types, t).toContain(t);
    }
    const unparsed = rows.filter((r) => parseAuditDetail(r.type, r.detail) === undefined).map((r) => ({ type: r.type, detail: r.detail }));
    expect(unparsed).toEqual([]);
  });

  it('refuses at compile time an append whose detail does not fit its type (checked by tsc, never run)', () => {
    const appends = (audit: AuditLog) => {
      // @ts-expect-error token.issued needs jti, exp and via
      audit.append({ type: 'token.issued', outcome: 'ok', detail: { jti: 'j' } });
      // @ts-expect-error client.removed has no member `secret`
      audit.append({ type: 'client.removed', outcome: 'ok', detail: { via: 'cli', secret: 'x' } });
      // @ts-expect-error every row has a detail
      audit.append({ type: 'client.removed', outcome: 'ok' });
      audit.append({ type: 'client.removed', outcome: 'ok', detail: { via: 'cli' } });
    };
    expect(appends).toBeTypeOf('function');
  });
});
