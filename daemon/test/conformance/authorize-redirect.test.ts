/** Must-reject: redirect URI mismatch — never redirected to an unvalidated URI (RFC 6749 §4.1.2.1), nothing issued. */
import { describe, expect, it } from 'vitest';
import { REDIRECT, authorizeUrl, browse, comeBack, issuedCounts, mcpDaemon, pkce, redeem, registerClient, startFlow } from './authorize-support.js';
import { dbSnapshot, expectError, grantById } from './support.js';

describe('/authorize with a redirect_uri that was not registered', () => {
  const cases: [string, string][] = [
    ['another host', 'https://evil.example/callback'],
    ['another path', 'http://127.0.0.1:53123/other'],
    ['an added query', 'http://127.0.0.1:53123/callback?x=1'],
    ['https instead of http', 'https://127.0.0.1:53123/callback'],
    ['localhost for 127.0.0.1', 'http://localhost:53123/callback'],
  ];
  it.each(cases)('%s → 400 invalid_request shown directly, no Location, nothing written', async (_t, uri) => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const before = dbSnapshot(d);
    const res = await browse(authorizeUrl(d, client.client_id, pkce().challenge, { redirect_uri: uri }));
    expect(res.headers.get('location')).toBeNull();
    await expectError(res, 400, 'invalid_request');
    expect(dbSnapshot(d)).toBe(before);
  });

  it('shows the person a page (not a redirect) when a browser asks', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const res = await browse(authorizeUrl(d, client.client_id, pkce().challenge, { redirect_uri: 'https://evil.example/cb' }), { accept: 'text/html' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri does not match');
  });

  it('an unknown client_id → 400 invalid_client, no redirect', async () => {
    const d = await mcpDaemon();
    const res = await browse(authorizeUrl(d, 'mcp_nobody', pkce().challenge));
    expect(res.headers.get('location')).toBeNull();
    await expectError(res, 400, 'invalid_client');
  });

  it('a loopback redirect may use another port (RFC 8252 §7.3)', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const res = await browse(authorizeUrl(d, client.client_id, pkce().challenge, { redirect_uri: 'http://127.0.0.1:61000/callback' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('/authorize/wait?request=');
  });
});

describe('/token with a redirect_uri other than the authorization request', () => {
  it('→ 400 invalid_grant, nothing issued, the grant ended', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d, { redirect_uris: [REDIRECT, 'http://127.0.0.1:53123/other'] });
    const s = await startFlow(d, client.client_id);
    await d.admin('POST', `/requests/${s.grantId}/approve`, {});
    const code = (await comeBack(s.waitUrl)).searchParams.get('code')!;
    await expectError(await redeem(d, client.client_id, code, s.verifier, { redirect_uri: 'http://127.0.0.1:53123/other' }), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual({ tokens: 0, refresh: 0 });
    expect((await grantById(d, s.grantId)).status).toBe('revoked');
  });
});
