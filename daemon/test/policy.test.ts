import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grantList } from '#shared/admin-api.js';
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN } from '#shared/oauth.js';
import { strictest, type Policy } from '#shared/policy.js';
import { PolicyError, loadPolicy } from '../src/policy/load.js';
import { MAIL, auth, startTestDaemon } from './harness.js';
import { pairExtension } from './extension-client.js';

const withPolicy = (policy: Policy) => startTestDaemon({ policy: { policy, path: '/etc/mandate/policy.json' } });

describe('organisation policy, enforced by the daemon itself', () => {
  it('caps durations: a longer request is shortened, a longer approval sent directly is refused', async () => {
    const d = await withPolicy({ maxDelegationMinutes: 30 });
    const agent = await d.registerAgent();
    const id = await d.request(agent, { requested_expiry: '7200' });
    const [g] = grantList.parse(await (await d.admin('GET', '/requests')).json()).grants;
    expect(g!.requested_duration).toBe(1800);
    const tooLong = await d.admin('POST', `/requests/${id}/approve`, { expires_in: 3600 });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('set by your organisation') });
    expect((await d.admin('POST', `/requests/${id}/approve`, { expires_in: 1800 })).status).toBe(200);
  });

  it('never approves a blocked scope, and approves the rest by default', async () => {
    const d = await withPolicy({ blockedScopes: ['mail.send'] });
    const agent = await d.registerAgent();
    const id = await d.request(agent, { scope: 'mail.read mail.send' });
    const res = await d.admin('POST', `/requests/${id}/approve`, { scope: ['mail.read', 'mail.send'] });
    expect(await res.json()).toMatchObject({ error: 'invalid_scope', error_description: expect.stringContaining('mail.send') });
    const ok = await d.admin('POST', `/requests/${id}/approve`, {});
    expect(await ok.json()).toMatchObject({ approved_scope: ['mail.read'] });
  });

  it('refuses blocked agents, and agents not on an allow list, at the request', async () => {
    const d = await withPolicy({ blockedAgents: ['Shady bot'], allowedAgents: ['Mail helper', 'Shady bot'] });
    const shady = await d.registerAgent({ name: 'Shady bot' });
    const other = await d.registerAgent({ name: 'Unlisted' });
    const ok = await d.registerAgent({ name: 'Mail helper' });
    for (const a of [shady, other]) {
      const res = await d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL }, auth(a));
      expect(await res.json()).toMatchObject({ error: 'unauthorized_client', error_description: expect.stringContaining('organisation') });
    }
    expect((await d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL }, auth(ok))).status).toBe(200);
    const refused = ((await (await d.admin('GET', '/audit?type=request.refused')).json()) as { events: unknown[] }).events;
    expect(refused).toHaveLength(2);
  });

  it('never remembers an always-ask scope: one token per approval, no renewal', async () => {
    const d = await withPolicy({ alwaysAskScopes: ['mail.send'] });
    const agent = await d.registerAgent();
    const { token } = await d.approvedToken(agent);
    const renew = await d.form(
      '/token',
      { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN },
      auth(agent),
    );
    expect(await renew.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('one request at a time') });
    const readOnly = await d.approvedToken(agent, { scope: 'mail.read' });
    const fine = await d.form(
      '/token',
      { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: readOnly.token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN },
      auth(agent),
    );
    expect(fine.status).toBe(200);
  });

  it('lets the browser make policy stricter, never looser', async () => {
    const d = await withPolicy({ maxDelegationMinutes: 60, blockedScopes: ['a'] });
    const ext = await pairExtension(d); // only the extension pushes the browser's policy
    const res = await ext.request('POST', '/policy/browser', { policy: { maxDelegationMinutes: 600, blockedScopes: ['b'], disableAlwaysAllow: true } });
    expect(await res.json()).toMatchObject({ effective: { maxDelegationMinutes: 60, blockedScopes: ['a', 'b'], disableAlwaysAllow: true } });
    expect((await ext.request('POST', '/policy/browser', { policy: { maxDelegationMinutes: 'long' } })).status).toBe(400);
  });

  it('caps and filters external grants too', async () => {
    const d = await withPolicy({ maxDelegationMinutes: 30, blockedScopes: ['repo'] });
    const base = {
      platform: 'claude',
      provider_host: 'github.com',
      client_id: 'c',
      redirect_uri: 'https://claude.ai/api/mcp/auth_callback',
      requested_scope: ['repo', 'read:user'],
      pkce: true,
      decision: 'continue',
    };
    expect((await d.admin('POST', '/external-grants', { ...base, allowed_scope: ['read:user'], expires_in: 3600 })).status).toBe(400);
    expect((await d.admin('POST', '/external-grants', { ...base, allowed_scope: ['repo'], expires_in: 600 })).status).toBe(400);
    expect((await d.admin('POST', '/external-grants', { ...base, allowed_scope: ['read:user'], expires_in: 600 })).status).toBe(201);
  });
});

describe('policy file', () => {
  it('loads a valid file, refuses an invalid or missing explicit one with the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-policy-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ maxDelegationMinutes: 30, blockedScopes: ['x'] }));
    expect(loadPolicy(good)).toEqual({ policy: { maxDelegationMinutes: 30, blockedScopes: ['x'] }, path: good });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ maxDelegationMinutes: -1 }));
    expect(() => loadPolicy(bad)).toThrow(PolicyError);
    writeFileSync(bad, '{nope');
    expect(() => loadPolicy(bad)).toThrow(/not valid JSON/);
    writeFileSync(bad, JSON.stringify({ unknownKey: true }));
    expect(() => loadPolicy(bad)).toThrow(PolicyError);
    expect(() => loadPolicy(join(dir, 'missing.json'))).toThrow(/does not exist/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges to the stricter value key by key', () => {
    expect(
      strictest({ maxDelegationMinutes: 30, allowedAgents: ['a', 'b'] }, { maxDelegationMinutes: 10, allowedAgents: ['b', 'c'], disableAlwaysAllow: false }),
    ).toEqual({
      maxDelegationMinutes: 10,
      allowedAgents: ['b'],
      disableAlwaysAllow: false,
    });
  });
});
