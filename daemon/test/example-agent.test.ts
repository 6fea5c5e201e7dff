/**
 * Runs the example agent (examples/agent/, documented in docs/agents.md) with openid-client against a real
 * daemon: the person approves through the admin API, as `mandate approve` does. The agent's waits move the
 * daemon's test clock, so polling, slow_down and renewal are exact.
 */
import { describe, expect, it } from 'vitest';
import { DelegationEnded, runTask, type AgentOptions } from '../../examples/agent/agent.js';
import type { Policy } from '#shared/policy.js';
import { auditEvents, pendingRequests } from './conformance/support.js';
import { MAIL, startTestDaemon, type TestDaemon } from './harness.js';

const withPolicy = (policy: Policy) => startTestDaemon({ policy: { policy, path: '/etc/mandate/policy.json' } });

/** Agent options whose sleep moves the daemon's clock; `onSleep` acts as the person between polls. */
async function agentFor(d: TestDaemon, onSleep: (n: number, seconds: number) => Promise<number | undefined>) {
  const agent = await d.registerAgent({ name: 'Inbox summariser', scopes: ['mail.read', 'mail.send'] });
  const sleeps: number[] = [];
  const log: string[] = [];
  const opts: AgentOptions = {
    issuer: new URL(d.url),
    clientId: agent.client_id,
    clientSecret: agent.client_secret,
    resource: MAIL,
    scope: 'mail.read mail.send',
    task: 'Summarise my unread mail',
    requestedExpiry: 3600,
    now: () => d.clock(),
    log: (line) => log.push(line),
    sleep: async (seconds) => {
      sleeps.push(seconds);
      d.clock.advance((await onSleep(sleeps.length, seconds)) ?? seconds);
    },
  };
  return { agent, opts, sleeps, log };
}

async function approve(d: TestDaemon, body: { scope?: string[]; expires_in?: number } = {}) {
  const [req] = await pendingRequests(d);
  const res = await d.admin('POST', `/requests/${req!.id}/approve`, body);
  expect(res.status).toBe(200);
}

describe('the example agent (openid-client 6)', () => {
  it('asks with CIBA, slows down when told, renews before exp, and ends its task with RFC 7009', async () => {
    const d = await withPolicy({ maxDelegationMinutes: 30 });
    const { opts, sleeps, log } = await agentFor(d, async (n, seconds) => {
      if (n === 2) return seconds - 1; // woke up a second early: the daemon answers slow_down
      if (n === 4) await approve(d, { scope: ['mail.read'] }); // the person approves one scope of two
      return undefined;
    });
    const tokens: string[] = [];
    const terms = await runTask(opts, async (accessToken) => {
      for (let i = 0; i < 3; i++) {
        tokens.push(await accessToken());
        d.clock.advance(250); // tokens live 300 s: the second call is 50 s before exp
      }
    });
    expect(sleeps).toEqual([5, 5, 10, 10]); // pending, slow_down, pending, approved
    expect(log).toContain('slow_down: polling every 10s from now on');
    expect(terms).toMatchObject({ scope: 'mail.read', shortened: true, narrowed: true });
    expect(new Set(tokens).size).toBe(3); // the first token, then two renewals
    expect(log.filter((l) => l.startsWith('renewed 50s before'))).toHaveLength(2);

    const rows = await auditEvents(d, { limit: '100' });
    expect(rows.filter((r) => r.type === 'token.issued').map((r) => (r.detail as { via: string }).via)).toEqual(['token-exchange', 'token-exchange', 'ciba']);
    expect(rows[0]).toMatchObject({ type: 'grant.ended', outcome: 'ok' });
  });

  it('stops with reason "revoked" when the person revokes the delegation mid-task', async () => {
    const d = await startTestDaemon();
    const { opts } = await agentFor(d, async (n) => {
      if (n === 1) await approve(d);
      return undefined;
    });
    const run = runTask(opts, async (accessToken) => {
      await accessToken();
      const grants = (await (await d.admin('GET', '/grants')).json()) as { grants: { id: string }[] };
      expect((await d.admin('POST', `/grants/${grants.grants[0]!.id}/revoke`, {})).status).toBe(200);
      d.clock.advance(280);
      await accessToken();
    });
    await expect(run).rejects.toMatchObject({ name: 'DelegationEnded', reason: 'revoked' });
  });

  it('stops with reason "denied" when the person denies', async () => {
    const d = await startTestDaemon();
    const { opts } = await agentFor(d, async (n) => {
      if (n === 1) {
        const [req] = await pendingRequests(d);
        expect((await d.admin('POST', `/requests/${req!.id}/deny`, {})).status).toBe(200);
      }
      return undefined;
    });
    const err = await runTask(opts, async () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DelegationEnded);
    expect(err).toMatchObject({ reason: 'denied' });
  });

  it('stops with reason "needs_approval" when policy asks the person each time', async () => {
    const d = await withPolicy({ alwaysAskScopes: ['mail.send'] });
    const { opts } = await agentFor(d, async (n) => {
      if (n === 1) await approve(d);
      return undefined;
    });
    const run = runTask(opts, async (accessToken) => {
      await accessToken();
      d.clock.advance(280);
      await accessToken();
    });
    await expect(run).rejects.toMatchObject({ reason: 'needs_approval' });
  });
});
