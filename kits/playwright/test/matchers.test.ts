/**
 * The kit's matchers: each passes where it should, and each failure message shows what was actually
 * requested or found. Tokens and the audit trail come from a real daemon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../src/daemon.js';
import { rememberJwks } from '../src/jwks.js';
import { toBeMandateToken, toHaveAuditEvent, toRequestAtMostScopes, toRequestScopes, toUsePkce } from '../src/matchers.js';
import { parseAuthorizationUrl } from '../src/review.js';

const on = { isNot: false };
const review = parseAuthorizationUrl(
  'https://as.example/authorize?response_type=code&client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcallback&scope=openid%20mail.read%20mail.send&code_challenge=x&code_challenge_method=S256',
  'Local agent or MCP client',
);
const noPkce = parseAuthorizationUrl('https://as.example/authorize?client_id=app&scope=a', 'Local agent or MCP client');

describe('review matchers', () => {
  it('parses what the app asked for', () => {
    expect(review).toMatchObject({ provider: 'as.example', clientId: 'app', redirectUri: 'http://127.0.0.1:3000/callback', pkce: 'S256', resource: [] });
    expect(noPkce.pkce).toBe('none');
  });

  it('toRequestScopes: exact and order-insensitive; the message lists requested, missing and unexpected scopes', () => {
    expect(toRequestScopes.call(on, review, ['mail.send', 'openid', 'mail.read']).pass).toBe(true);
    const r = toRequestScopes.call(on, review, ['openid', 'mail.read', 'calendar.read']);
    expect(r.pass).toBe(false);
    expect(r.message()).toContain('Requested:       "openid", "mail.read", "mail.send"');
    expect(r.message()).toContain('Missing:         "calendar.read"');
    expect(r.message()).toContain('Not expected:    "mail.send"');
  });

  it('toRequestAtMostScopes: the message names the scopes beyond what is allowed', () => {
    expect(toRequestAtMostScopes.call(on, review, ['openid', 'mail.read', 'mail.send', 'extra']).pass).toBe(true);
    const r = toRequestAtMostScopes.call(on, review, ['openid', 'mail.read']);
    expect(r.pass).toBe(false);
    expect(r.message()).toContain('Requested: "openid", "mail.read", "mail.send"');
    expect(r.message()).toContain('Beyond what is allowed: "mail.send"');
  });

  it('toUsePkce: the message says what the request did instead', () => {
    expect(toUsePkce.call(on, review).pass).toBe(true);
    const r = toUsePkce.call(on, noPkce);
    expect(r.pass).toBe(false);
    expect(r.message()).toContain('Requested: no code_challenge at all');
    expect(toUsePkce.call(on, { ...noPkce, pkce: 'plain' }).message()).toContain('code_challenge_method=plain');
  });

  it('refuses something that is not a review', () => {
    expect(() => toRequestScopes.call(on, 'nope', [])).toThrow(/not a Mandate review/);
  });
});

describe('daemon matchers', () => {
  let daemon: TestDaemon;
  let token: string;
  let agentId: string;

  beforeAll(async () => {
    daemon = await startTestDaemon({ person: 'user:kit@test' });
    await rememberJwks(daemon.url);
    const agent = await daemon.addAgent({ name: 'Kit agent', scopes: ['mail.read', 'mail.send'], resources: ['https://mail.example/'] });
    agentId = agent.clientId;
    const basic = `Basic ${Buffer.from(`${agent.clientId}:${agent.clientSecret}`).toString('base64')}`;
    const form = (path: string, body: Record<string, string>) =>
      fetch(daemon.url + path, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    const asked = (await (
      await form('/bc-authorize', { scope: 'mail.read mail.send', resource: 'https://mail.example/', binding_message: 'Read my mail' })
    ).json()) as {
      auth_req_id: string;
    };
    const [pending] = await daemon.pending();
    expect((await daemon.admin('POST', `/requests/${pending!.id}/approve`, { scope: ['mail.read'] })).status).toBe(200);
    const t = (await (await form('/token', { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: asked.auth_req_id })).json()) as {
      access_token: string;
    };
    token = t.access_token;
  });
  afterAll(async () => {
    await daemon?.close();
  });

  it('toBeMandateToken: passes on the daemon’s token; the message lists each claim that differs and what the token carries', () => {
    expect(toBeMandateToken.call(on, token, { scope: ['mail.read'], aud: 'https://mail.example/', sub: 'user:kit@test', act: agentId }).pass).toBe(true);
    const r = toBeMandateToken.call(on, token, { scope: 'mail.read mail.send', aud: 'https://other.example/', sub: 'user:kit@test', act: agentId });
    expect(r.pass).toBe(false);
    expect(r.message()).toContain('- scope is "mail.read", expected "mail.read mail.send"');
    expect(r.message()).toContain('- aud is "https://mail.example/", expected "https://other.example/"');
    expect(r.message()).toContain('Token carries: {"scope":"mail.read"');
  });

  it('toBeMandateToken: a token with a changed payload or from elsewhere fails, and says why', () => {
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'mail.read mail.send' })).toString('base64url')}.${s}`;
    expect(toBeMandateToken.call(on, forged).message()).toContain('bad signature');
    expect(toBeMandateToken.call(on, 'not-a-jwt').message()).toContain('not a signed JWT');
    const foreign = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'elsewhere' })).toString('base64url')}.${p}.${s}`;
    expect(toBeMandateToken.call(on, foreign).message()).toContain('which no Mandate daemon of this test run published');
  });

  it('toHaveAuditEvent: finds an event by type, agent name and outcome; a miss lists the latest events', async () => {
    const m = { audit: daemon.audit, daemon: { admin: daemon.admin } };
    expect((await toHaveAuditEvent.call(on, m, { type: 'grant.approved', agent: 'Kit agent', outcome: 'ok' })).pass).toBe(true);
    const r = await toHaveAuditEvent.call(on, m, { type: 'grant.revoked', agent: 'Kit agent' }, { timeout: 300 });
    expect(r.pass).toBe(false);
    expect(r.message()).toContain('No matching event within 300 ms. Latest events in the trail:');
    expect(r.message()).toMatch(/grant\.approved agent=\S+ outcome=ok/);
    await expect(toHaveAuditEvent.call(on, {}, { type: 'x' })).rejects.toThrow(/not the mandate fixture/);
  });
});
