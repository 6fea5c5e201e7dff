/** The kit's verifier against the real daemon: offline checks, scope, live revocation, the Hono middleware. */
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MandateTokenError, mandateAuth } from '../../../kits/resource-server/index.js';
import { CAL, MAIL } from '../harness.js';
import { type World, codeOf, world } from './support.js';

let current: World | undefined;
afterEach(async () => {
  for (const v of current?.verifiers ?? []) await v.close();
  current = undefined;
});

async function setup() {
  current = await world();
  return current;
}

describe('verify()', () => {
  it('accepts a live token and returns who, which agent, which grant, which scopes', async () => {
    const w = await setup();
    const { token, grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier();
    await v.ready();
    const t = await v.verify(token, { scope: 'mail.read' });
    expect(t).toMatchObject({ grantId, clientId: w.agent.client_id, agent: w.agent.client_id, scope: ['mail.read'], sub: w.d.person });
  });

  it('insufficient_scope names the scope needed in its RFC 6750 challenge', async () => {
    const w = await setup();
    const { token } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier({ resourceMetadata: `${MAIL}.well-known/oauth-protected-resource` });
    const err = await v.verify(token, { scope: 'mail.send' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MandateTokenError);
    const e = err as MandateTokenError;
    expect([e.code, e.status]).toEqual(['insufficient_scope', 403]);
    expect(e.wwwAuthenticate()).toBe(
      `Bearer error="insufficient_scope", error_description="this needs scope mail.send", scope="mail.send", resource_metadata="${MAIL}.well-known/oauth-protected-resource"`,
    );
  });

  it('must-reject: another audience, a tampered signature, garbage, an expired token → invalid_token', async () => {
    const w = await setup();
    const { token } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier();
    const other = w.verifier({ audience: CAL });
    expect(await codeOf(other.verify(token))).toBe('invalid_token');
    const [h, p, s] = token.split('.');
    expect(await codeOf(v.verify(`${h}.${p}.${s!.slice(0, -4)}AAAA`))).toBe('invalid_token');
    expect(await codeOf(v.verify('not.a.jwt'))).toBe('invalid_token');
    w.d.clock.advance(400);
    expect(await codeOf(v.verify(token))).toBe('invalid_token');
  });

  it('must-reject: a token with typ JWT instead of at+jwt (re-signed by the same key) → invalid_token', async () => {
    const w = await setup();
    const { token } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const { SignJWT, decodeJwt, importJWK } = await import('jose');
    const key = w.d.ctx.db.prepare<[], { kid: string; private_jwk: string }>('SELECT kid, private_jwk FROM signing_keys WHERE retired_at IS NULL').get()!;
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .sign(await importJWK(JSON.parse(key.private_jwk) as Record<string, string>, 'ES256'));
    const v = w.verifier();
    expect(await codeOf(v.verify(forged))).toBe('invalid_token');
  });

  it('a revoked grant is refused right after the revoke commits, long before the token expires', async () => {
    const w = await setup();
    const { token, grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier();
    await v.ready();
    expect(await codeOf(v.verify(token))).toBe('accepted');
    expect((await w.d.admin('POST', `/grants/${grantId}/revoke`, {})).status).toBe(200);
    await vi.waitFor(() => expect(v.isDead(grantId)).toBe(true), { timeout: 2000, interval: 5 });
    expect(await codeOf(v.verify(token))).toBe('revoked');
  });

  it('a verifier started after a revoke learns it from the replay before accepting anything', async () => {
    const w = await setup();
    const { token, grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    await w.d.admin('POST', `/grants/${grantId}/revoke`, {});
    const v = w.verifier();
    expect(await codeOf(v.verify(token))).toBe('revoked'); // no ready() first: verify waits for the backlog
  });
});

describe('mandateAuth (Hono)', () => {
  it('401 with a challenge without a token, 403 insufficient_scope, 200 with the scope, 401 once revoked', async () => {
    const w = await setup();
    const v = w.verifier();
    const app = new Hono().get('/mail', mandateAuth({ verifier: v, scope: 'mail.read' }), (c) => c.json({ agent: c.get('mandate').agent }));
    const send = new Hono().post('/send', mandateAuth({ verifier: v, scope: 'mail.send' }), (c) => c.json({ ok: true }));
    const { token, grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const none = await app.request('/mail');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const denied = await send.request('/send', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toContain('scope="mail.send"');
    expect(await denied.json()).toMatchObject({ error: 'insufficient_scope' });
    const ok = await app.request('/mail', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ agent: w.agent.client_id });
    await w.d.admin('POST', `/grants/${grantId}/revoke`, {});
    await vi.waitFor(() => expect(v.isDead(grantId)).toBe(true), { timeout: 2000, interval: 5 });
    const after = await app.request('/mail', { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: 'invalid_token' });
  });
});
