/** Must-reject: PKCE missing, plain or wrong — exact error, and nothing issued. */
import { describe, expect, it } from 'vitest';
import { authorizeUrl, browse, comeBack, issuedCounts, mcpDaemon, pkce, redeem, redirectedError, registerClient, startFlow } from './authorize-support.js';
import { expectError, grantById, pendingRequests } from './support.js';

describe('/authorize refuses without S256 PKCE (redirected, no request created)', () => {
  const cases: [string, Record<string, string | undefined>][] = [
    ['code_challenge missing', { code_challenge: undefined }],
    ['code_challenge_method plain', { code_challenge_method: 'plain' }],
    ['code_challenge_method missing (defaults to plain)', { code_challenge_method: undefined }],
    ['code_challenge not a SHA-256', { code_challenge: 'short' }],
  ];
  it.each(cases)('%s → error=invalid_request at the redirect URI', async (_t, extra) => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const res = await browse(authorizeUrl(d, client.client_id, pkce().challenge, extra));
    expect(redirectedError(res)).toMatchObject({ error: 'invalid_request', state: 'st-1', iss: d.url });
    expect(await pendingRequests(d)).toEqual([]);
  });
});

describe('/token refuses a wrong or missing code_verifier', () => {
  it('missing code_verifier → 400 invalid_request, nothing issued, the code still unspent', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const s = await startFlow(d, client.client_id);
    await d.admin('POST', `/requests/${s.grantId}/approve`, {});
    const code = (await comeBack(s.waitUrl)).searchParams.get('code')!;
    const res = await d.form('/token', {
      grant_type: 'authorization_code',
      client_id: client.client_id,
      code,
      redirect_uri: 'http://127.0.0.1:53123/callback',
    });
    await expectError(res, 400, 'invalid_request');
    expect(issuedCounts(d)).toEqual({ tokens: 0, refresh: 0 });
  });

  it('wrong code_verifier → 400 invalid_grant, nothing issued, the code burned and its grant ended', async () => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const s = await startFlow(d, client.client_id);
    await d.admin('POST', `/requests/${s.grantId}/approve`, {});
    const code = (await comeBack(s.waitUrl)).searchParams.get('code')!;
    await expectError(await redeem(d, client.client_id, code, pkce().verifier), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual({ tokens: 0, refresh: 0 });
    await expectError(await redeem(d, client.client_id, code, s.verifier), 400, 'invalid_grant');
    expect(issuedCounts(d)).toEqual({ tokens: 0, refresh: 0 });
    expect((await grantById(d, s.grantId)).status).toBe('revoked');
  });
});
