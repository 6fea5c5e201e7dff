/**
 * The agent learns how long its delegation lasts and whether it was cut down (token response extension members),
 * and, when no token comes any more, why (`mandate_reason`) — without parsing `error_description`.
 * The `error` code stays the standard one in every case.
 */
import { describe, expect, it } from 'vitest';
import { tokenErrorBody, tokenResponse, type MandateReason } from '#shared/oauth.js';
import type { Policy } from '#shared/policy.js';
import { CAL, startTestDaemon, type TestDaemon } from '../harness.js';
import { exchange, poll, revokeToken, titled } from './support.js';

const withPolicy = (policy: Policy) => startTestDaemon({ policy: { policy, path: '/etc/mandate/policy.json' } });

async function firstToken(d: TestDaemon, approve: { scope?: string[]; expires_in?: number } = {}, asked = '3600') {
  const agent = await d.registerAgent();
  const authReqId = await d.request(agent, { requested_expiry: asked });
  expect((await d.admin('POST', `/requests/${encodeURIComponent(authReqId)}/approve`, approve)).status).toBe(200);
  const res = await poll(d, agent, authReqId);
  expect(res.status).toBe(200);
  return { agent, authReqId, body: tokenResponse.parse(await res.json()) };
}

describe('token responses say when the delegation ends and whether it was cut down', () => {
  it('as asked: full length, every scope', async () => {
    const d = await startTestDaemon();
    const { body } = await firstToken(d);
    expect(body).toMatchObject({ authorization_expires_in: 3600, mandate_shortened: false, mandate_narrowed: false, scope: 'mail.read mail.send' });
  });

  it('shortened by an organisational cap, and the renewal counts down', async () => {
    const d = await withPolicy({ maxDelegationMinutes: 30 });
    const { agent, body } = await firstToken(d, {}, '7200');
    expect(body).toMatchObject({ authorization_expires_in: 1800, mandate_shortened: true, mandate_narrowed: false });
    d.clock.advance(600);
    const renewed = tokenResponse.parse(await (await exchange(d, agent, body.access_token)).json());
    expect(renewed).toMatchObject({ authorization_expires_in: 1200, mandate_shortened: true });
  });

  it('shortened and narrowed by the person', async () => {
    const d = await startTestDaemon();
    const { body } = await firstToken(d, { scope: ['mail.read'], expires_in: 900 });
    expect(body).toMatchObject({ authorization_expires_in: 900, mandate_shortened: true, mandate_narrowed: true, scope: 'mail.read' });
  });

  it('narrowed by policy (a blocked scope)', async () => {
    const d = await withPolicy({ blockedScopes: ['mail.send'] });
    const { body } = await firstToken(d);
    expect(body).toMatchObject({ mandate_narrowed: true, mandate_shortened: false, scope: 'mail.read' });
  });
});

interface EndCase {
  name: string;
  reason: MandateReason;
  code: 'invalid_grant' | 'expired_token';
  policy?: Policy;
  /** Ends the delegation; returns the response the agent then gets. */
  end: (d: TestDaemon, w: Awaited<ReturnType<typeof firstToken>>) => Promise<Response>;
}

const ends: EndCase[] = [
  {
    name: 'the person revoked it: renewal',
    reason: 'revoked',
    code: 'invalid_grant',
    end: async (d, w) => {
      const g = (await (await d.admin('GET', '/grants')).json()) as { grants: { id: string }[] };
      expect((await d.admin('POST', `/grants/${g.grants[0]!.id}/revoke`, {})).status).toBe(200);
      return exchange(d, w.agent, w.body.access_token);
    },
  },
  {
    name: 'the person revoked it: a late poll',
    reason: 'revoked',
    code: 'invalid_grant',
    end: async (d, w) => {
      expect((await d.admin('POST', '/grants/revoke-all', {})).status).toBe(200);
      return poll(d, w.agent, w.authReqId);
    },
  },
  {
    name: 'its time ran out: renewal',
    reason: 'expired',
    code: 'invalid_grant',
    end: async (d, w) => {
      d.clock.advance(3601);
      return exchange(d, w.agent, w.body.access_token);
    },
  },
  {
    name: 'the agent ended it (RFC 7009): renewal',
    reason: 'ended',
    code: 'invalid_grant',
    end: async (d, w) => {
      expect((await revokeToken(d, w.agent, w.body.access_token)).status).toBe(200);
      return exchange(d, w.agent, w.body.access_token);
    },
  },
  {
    name: 'policy asks each time (alwaysAskScopes): renewal',
    reason: 'needs_approval',
    code: 'invalid_grant',
    policy: { alwaysAskScopes: ['mail.send'] },
    end: (d, w) => exchange(d, w.agent, w.body.access_token),
  },
];

describe('must-reject: a delegation that gives no more tokens says why in mandate_reason', () => {
  it.each(titled(ends, (c) => c.name))('%s', async (_t, c) => {
    const d = c.policy ? await withPolicy(c.policy) : await startTestDaemon();
    const w = await firstToken(d);
    const res = await c.end(d, w);
    expect(res.status).toBe(400);
    const body = tokenErrorBody.parse(await res.json());
    expect({ error: body.error, mandate_reason: body.mandate_reason }).toEqual({ error: c.code, mandate_reason: c.reason });
  });

  it('an expired delegation polled with CIBA says expired_token with mandate_reason expired', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent);
    expect((await d.admin('POST', `/requests/${encodeURIComponent(authReqId)}/approve`, {})).status).toBe(200);
    d.clock.advance(3601);
    const body = tokenErrorBody.parse(await (await poll(d, agent, authReqId)).json());
    expect(body).toMatchObject({ error: 'expired_token', mandate_reason: 'expired' });
  });

  it('a forged or foreign token gets no mandate_reason (nothing about a grant is disclosed)', async () => {
    const d = await startTestDaemon();
    const w = await firstToken(d);
    const other = await d.registerAgent({ name: 'Other', resources: [CAL] });
    const foreign = tokenErrorBody.parse(await (await exchange(d, other, w.body.access_token)).json());
    expect(foreign).toMatchObject({ error: 'invalid_grant' });
    expect(foreign.mandate_reason).toBeUndefined();
    const forged = tokenErrorBody.parse(await (await exchange(d, w.agent, 'a.b.c')).json());
    expect(forged.mandate_reason).toBeUndefined();
  });
});
