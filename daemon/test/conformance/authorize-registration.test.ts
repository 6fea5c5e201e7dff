/** Must-reject: dynamic registration abuse — bad metadata, rate, policy off — exact error and no client created. */
import { describe, expect, it } from 'vitest';
import { REDIRECT, mcpDaemon, register, registerClient } from './authorize-support.js';
import { agentCount, auditEvents, dbSnapshot, expectError, post } from './support.js';

describe('/register refuses bad client metadata (RFC 7591 §3.2.2)', () => {
  const cases: [string, unknown, string][] = [
    ['no redirect_uris', { client_name: 'x' }, 'invalid_redirect_uri'],
    ['an http redirect to a public host', { redirect_uris: ['http://evil.example/cb'] }, 'invalid_redirect_uri'],
    ['a javascript: redirect', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    ['a redirect with a fragment', { redirect_uris: [`${REDIRECT}#x`] }, 'invalid_redirect_uri'],
    ['21 redirect URIs', { redirect_uris: Array.from({ length: 21 }, (_, i) => `http://127.0.0.1:${1000 + i}/cb`) }, 'invalid_redirect_uri'],
    ['the implicit grant', { redirect_uris: [REDIRECT], grant_types: ['implicit'] }, 'invalid_client_metadata'],
    ['client_credentials', { redirect_uris: [REDIRECT], grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
    ['response_type token', { redirect_uris: [REDIRECT], response_types: ['token'] }, 'invalid_client_metadata'],
    ['private_key_jwt', { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
    ['a name with bidi controls', { redirect_uris: [REDIRECT], client_name: 'Claude\u202E' }, 'invalid_client_metadata'],
    ['a 200-character name', { redirect_uris: [REDIRECT], client_name: 'x'.repeat(200) }, 'invalid_client_metadata'],
    ['a JSON array', [REDIRECT], 'invalid_client_metadata'],
  ];
  it.each(cases)('%s', async (_t, body, code) => {
    const d = await mcpDaemon();
    const before = dbSnapshot(d);
    await expectError(await register(d, body), 400, code as 'invalid_client_metadata');
    expect(dbSnapshot(d)).toBe(before);
  });

  it('a form body → 400 invalid_request', async () => {
    const d = await mcpDaemon();
    await expectError(await post(d, '/register', `redirect_uris=${REDIRECT}`, { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_request');
  });

  it('a web page (Origin) cannot register → 403', async () => {
    const d = await mcpDaemon();
    const res = await fetch(`${d.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ redirect_uris: [REDIRECT] }),
    });
    expect(res.status).toBe(403);
  });
});

describe('registration is bounded', () => {
  it('beyond the burst → 429 temporarily_unavailable with Retry-After, no client created; refills with time', async () => {
    const d = await mcpDaemon({ mcpClients: { registrationBurst: 3, registrationRefillSeconds: 60 } });
    for (let i = 0; i < 3; i++) await registerClient(d);
    const count = await agentCount(d);
    const res = await register(d, { redirect_uris: [REDIRECT] });
    expect(res.headers.get('retry-after')).toBe('60');
    await expectError(res, 429, 'temporarily_unavailable');
    expect(await agentCount(d)).toBe(count);
    d.clock.advance(60);
    await registerClient(d);
  });

  it('beyond the most registered clients kept → 429, no client created', async () => {
    const d = await mcpDaemon({ mcpClients: { maxDynamicClients: 2 } });
    await registerClient(d);
    await registerClient(d);
    const before = dbSnapshot(d);
    await expectError(await register(d, { redirect_uris: [REDIRECT] }), 429, 'temporarily_unavailable');
    expect(dbSnapshot(d)).toBe(before);
  });

  it('turned off by policy → 403 access_denied, no client created', async () => {
    const d = await mcpDaemon({ policy: { policy: { allowClientRegistration: false }, path: null } });
    const before = dbSnapshot(d);
    await expectError(await register(d, { redirect_uris: [REDIRECT] }), 403, 'access_denied');
    expect(dbSnapshot(d)).toBe(before);
  });

  it('a registered client unused for 30 days (nothing live) is removed, audited', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    d.clock.advance(30 * 24 * 3600 + 1);
    d.sweep();
    const removed = await auditEvents(d, { type: 'client.removed' });
    expect(removed.map((e) => [e.agent, e.detail?.reason])).toEqual([[client.client_id, 'registered client unused']]);
    const again = await fetch(`${d.url}/authorize?client_id=${client.client_id}`);
    await expectError(again, 400, 'invalid_client');
  });

  it('a confidential client asks for a secret and gets one; it must then authenticate', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d, { token_endpoint_auth_method: 'client_secret_basic' });
    expect(client.client_secret).toMatch(/^mcs_/);
    const res = await d.form('/token', { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: 'mrt_x' });
    await expectError(res, 401, 'invalid_client');
  });
});
