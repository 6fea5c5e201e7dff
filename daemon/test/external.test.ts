import { describe, expect, it } from 'vitest';
import { externalGrantList, externalGrantView } from '#shared/admin-api.js';
import { startTestDaemon } from './harness.js';

const consent = {
  platform: 'chatgpt',
  provider_host: 'accounts.google.com',
  client_id: 'chatgpt-connector-123',
  redirect_uri: 'https://chatgpt.com/connector/oauth/OUbdUMlL15Ct',
  requested_scope: ['openid', 'https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.send'],
  allowed_scope: ['openid', 'https://www.googleapis.com/auth/gmail.readonly'],
  resource: null,
  authorization_details: null,
  pkce: true,
  expires_in: 3600,
  decision: 'continue',
};

describe('external grants (consent given at a provider to an agent platform)', () => {
  it('records the request, then the outcome from the redirect, then expiry, each audited', async () => {
    const d = await startTestDaemon();
    const created = externalGrantView.parse(await (await d.admin('POST', '/external-grants', consent)).json());
    expect(created).toMatchObject({ status: 'pending', allowed_scope: consent.allowed_scope, expires_at: d.clock() + 3600, pkce: true });

    const granted = await d.admin('POST', `/external-grants/${created.id}/outcome`, { result: 'granted' });
    expect(externalGrantView.parse(await granted.json()).status).toBe('granted');
    const again = await d.admin('POST', `/external-grants/${created.id}/outcome`, { result: 'denied' });
    expect(again.status).toBe(409);

    const live = externalGrantList.parse(await (await d.admin('GET', '/external-grants')).json());
    expect(live.grants.map((g) => g.id)).toEqual([created.id]);

    d.clock.advance(3600);
    d.sweep();
    const all = externalGrantList.parse(await (await d.admin('GET', '/external-grants?all=true')).json());
    expect(all.grants[0]).toMatchObject({ status: 'expired', ended_at: created.expires_at });
    const types = ((await (await d.admin('GET', '/audit?limit=10')).json()) as { events: { type: string; outcome: string }[] }).events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['external.expired', 'external.granted', 'external.requested']);
  });

  it('records a block (nothing sent), a denial at the provider, and a revoke by the person', async () => {
    const d = await startTestDaemon();
    const blocked = externalGrantView.parse(await (await d.admin('POST', '/external-grants', { ...consent, decision: 'block' })).json());
    expect(blocked).toMatchObject({ status: 'blocked', allowed_scope: [] });

    const denied = externalGrantView.parse(await (await d.admin('POST', '/external-grants', consent)).json());
    const res = await d.admin('POST', `/external-grants/${denied.id}/outcome`, { result: 'denied', error: 'access_denied' });
    expect(await res.json()).toMatchObject({ status: 'denied', outcome_error: 'access_denied' });

    const kept = externalGrantView.parse(await (await d.admin('POST', '/external-grants', consent)).json());
    await d.admin('POST', `/external-grants/${kept.id}/outcome`, { result: 'granted' });
    expect(await (await d.admin('POST', `/external-grants/${kept.id}/revoke`, {})).json()).toMatchObject({ status: 'revoked' });
    expect((await d.admin('POST', `/external-grants/${kept.id}/revoke`, {})).status).toBe(409);
  });

  it('refuses allowed scopes that were never requested, and malformed bodies', async () => {
    const d = await startTestDaemon();
    const wider = await d.admin('POST', '/external-grants', { ...consent, allowed_scope: ['admin'] });
    expect(wider.status).toBe(400);
    expect(await wider.json()).toMatchObject({ error: 'invalid_scope' });
    expect((await d.admin('POST', '/external-grants', { ...consent, provider_host: 'evil.example/path' })).status).toBe(400);
    expect((await d.admin('POST', '/external-grants', { ...consent, expires_in: 0 })).status).toBe(400);
    expect((await d.admin('POST', '/external-grants/ext_nope/outcome', { result: 'granted' })).status).toBe(409);
  });

  it('audits in-chat approval decisions reported by the extension', async () => {
    const d = await startTestDaemon();
    const res = await d.admin('POST', '/chat-events', { site: 'chatgpt', kind: 'decision', app: 'Gmail', decision: 'deny', page_host: 'chatgpt.com' });
    expect(res.status).toBe(201);
    const events = ((await (await d.admin('GET', '/audit?type=chat.decision')).json()) as { events: { agent: string; decision: string; outcome: string }[] })
      .events;
    expect(events).toEqual([expect.objectContaining({ agent: 'chatgpt:Gmail', decision: 'deny', outcome: 'refused' })]);
    expect((await d.admin('POST', '/chat-events', { site: 'evil', kind: 'decision', page_host: 'x' })).status).toBe(400);
  });
});
