/**
 * Introspection answers a token's liveness from memory (store/liveness-cache.ts). Whichever way a delegation ends,
 * the very next introspection after the answer to that ending must say inactive, though every token of the grant
 * was introspected, and so remembered, just before.
 */
import { describe, expect, it } from 'vitest';
import type { AgentCreated } from '#shared/admin-api.js';
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN, introspectionResponse, tokenResponse } from '#shared/oauth.js';
import { auth, MAIL, startTestDaemon, type TestDaemon } from './harness.js';

interface Delegation {
  d: TestDaemon;
  agent: AgentCreated;
  grantId: string;
  tokens: string[];
  introspect(token: string): Promise<boolean>;
}

const EXPIRES_IN = 3600;

/** A grant with two tokens (the first, and one renewed from it), each introspected by the resource server until remembered. */
async function delegation(): Promise<Delegation> {
  const d = await startTestDaemon();
  const agent = await d.registerAgent();
  const rs = await d.registerAgent({ kind: 'resource_server', resources: [MAIL] });
  const { token, grantId } = await d.approvedToken(agent, { approve: { expires_in: EXPIRES_IN } });
  const introspect = async (t: string) => {
    const res = await d.form('/introspect', { token: t }, auth(rs));
    expect(res.status).toBe(200);
    return introspectionResponse.parse(await res.json()).active;
  };
  const renewed = tokenResponse.parse(
    await (
      await d.form('/token', { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN }, auth(agent))
    ).json(),
  ).access_token;
  const tokens = [token, renewed];
  for (let i = 0; i < 3; i++) for (const t of tokens) expect(await introspect(t)).toBe(true);
  return { d, agent, grantId, tokens, introspect };
}

const endings: { how: string; end(x: Delegation): Promise<void> }[] = [
  {
    how: 'the person revokes it in the popup',
    end: async ({ d, grantId }) => void expect((await d.admin('POST', `/grants/${grantId}/revoke`, {})).status).toBe(200),
  },
  { how: 'the person revokes all', end: async ({ d }) => void expect((await d.admin('POST', '/grants/revoke-all', {})).status).toBe(200) },
  {
    how: 'the agent says its task is done (RFC 7009)',
    end: async ({ d, agent, tokens }) => void expect((await d.form('/revoke', { token: tokens[1]! }, auth(agent))).status).toBe(200),
  },
  { how: 'the person removes the agent', end: async ({ d, agent }) => void expect((await d.admin('DELETE', `/agents/${agent.client_id}`)).status).toBe(200) },
  { how: 'the grant runs out', end: async ({ d }) => d.clock.advance(EXPIRES_IN) },
];

describe('the very next introspection after a delegation ends says inactive', () => {
  it.each(endings)('when $how', async ({ end }) => {
    const x = await delegation();
    await end(x);
    for (const t of x.tokens) expect(await x.introspect(t)).toBe(false);
  });

  it('while introspections of the same tokens are in flight around the revocation', async () => {
    const x = await delegation();
    const before = Array.from({ length: 20 }, (_, i) => x.introspect(x.tokens[i % 2]!));
    const revoked = x.d.admin('POST', `/grants/${x.grantId}/revoke`, {});
    const during = Array.from({ length: 20 }, (_, i) => x.introspect(x.tokens[i % 2]!));
    expect((await revoked).status).toBe(200);
    await Promise.all([...before, ...during]);
    for (const t of x.tokens) expect(await x.introspect(t)).toBe(false);
  });
});
