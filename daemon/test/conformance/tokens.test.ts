/**
 * Must-reject: access tokens that are forged, tampered, expired, not ours, or for another audience or client.
 * Introspection answers exactly `{"active": false}`; token exchange answers 400 invalid_grant (or invalid_target
 * for a foreign audience). Security checklist items 11, 12 and 14.
 */
import { SignJWT, base64url, decodeJwt, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AgentCreated } from '#shared/admin-api.js';
import { bcAuthorizeResponse, tokenResponse } from '#shared/oauth.js';
import { CAL, MAIL, auth, startTestDaemon } from '../harness.js';
import {
  auditEvents,
  daemonSigningKey,
  exchange,
  expectActive,
  expectError,
  expectInactive,
  introspect,
  poll,
  populate,
  sharedDaemon,
  titled,
  world,
  type World,
} from './support.js';

const OTHER = 'https://other.example/';

interface TokenWorld extends World {
  /** A resource server registered for MAIL: the legitimate audience of `token`. */
  mailServer: AgentCreated;
  claims: JWTPayload;
}

async function withMailServer(w: World): Promise<TokenWorld> {
  const mailServer = await w.d.registerAgent({ kind: 'resource_server', name: 'Mail API', resources: [MAIL] });
  return { ...w, mailServer, claims: decodeJwt(w.token) };
}

const tokenWorld = async (): Promise<TokenWorld> => withMailServer(await world());

const segments = (token: string) => {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return { header, payload, signature };
};
const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));

function sign(key: CryptoKey, header: { alg: string; typ?: string; kid?: string }, claims: JWTPayload): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader(header).sign(key);
}

/** Every way to present something that is not a live token of ours; each is built from the real token's claims. */
const forgeries: { name: string; make: (w: TokenWorld) => Promise<string> }[] = [
  { name: 'a garbage string', make: async () => 'not-a-token' },
  { name: 'three empty-ish segments', make: async () => 'a.b.c' },
  {
    name: 'signed with a foreign key under the daemon’s kid',
    make: async (w) => {
      const { kid } = await daemonSigningKey(w.d);
      const { privateKey } = await generateKeyPair('ES256');
      return sign(privateKey, { alg: 'ES256', typ: 'at+jwt', kid }, w.claims);
    },
  },
  {
    name: 'alg: none',
    make: async (w) => `${encodeJson({ alg: 'none', typ: 'at+jwt' })}.${segments(w.token).payload}.`,
  },
  {
    name: 'HS256 keyed with the daemon’s public key (algorithm confusion)',
    make: async (w) => {
      const { kid, publicJwk } = await daemonSigningKey(w.d);
      const input = `${encodeJson({ alg: 'HS256', typ: 'at+jwt', kid })}.${segments(w.token).payload}`;
      return `${input}.${createHmac('sha256', JSON.stringify(publicJwk)).update(input).digest('base64url')}`;
    },
  },
  {
    name: 'the real token with its payload widened (scope, audience) and the original signature',
    make: async (w) => {
      const s = segments(w.token);
      return `${s.header}.${encodeJson({ ...w.claims, scope: 'mail.read mail.send mail.delete', aud: CAL })}.${s.signature}`;
    },
  },
  {
    name: 'typ: JWT, signed with the daemon’s real key',
    make: async (w) => {
      const { kid, key } = await daemonSigningKey(w.d);
      return sign(key, { alg: 'ES256', typ: 'JWT', kid }, w.claims);
    },
  },
  {
    name: 'no typ, signed with the daemon’s real key',
    make: async (w) => {
      const { kid, key } = await daemonSigningKey(w.d);
      return sign(key, { alg: 'ES256', kid }, w.claims);
    },
  },
  {
    name: 'another issuer (localhost instead of 127.0.0.1), signed with the daemon’s real key',
    make: async (w) => {
      const { kid, key } = await daemonSigningKey(w.d);
      return sign(key, { alg: 'ES256', typ: 'at+jwt', kid }, { ...w.claims, iss: `http://localhost:${w.d.port}` });
    },
  },
  {
    name: 'a jti the daemon never issued, signed with the daemon’s real key',
    make: async (w) => {
      const { kid, key } = await daemonSigningKey(w.d);
      return sign(key, { alg: 'ES256', typ: 'at+jwt', kid }, { ...w.claims, jti: 'at_never_issued_by_this_daemon' });
    },
  },
  {
    name: 'a real jti moved to another live grant, signed with the daemon’s real key',
    make: async (w) => {
      const other = await w.d.approvedToken(w.agent);
      const { kid, key } = await daemonSigningKey(w.d);
      return sign(key, { alg: 'ES256', typ: 'at+jwt', kid }, { ...w.claims, grant_id: other.grantId });
    },
  },
  {
    name: 'a real token from another Mandate daemon',
    make: async () => {
      const other = await startTestDaemon();
      const agent = await other.registerAgent();
      return (await other.approvedToken(agent)).token;
    },
  },
];

describe('forged and foreign tokens are inactive', () => {
  // Refusals change nothing a later row depends on (the clock never moves), so one daemon serves the table.
  const shared = sharedDaemon(async (d) => withMailServer(await populate(d)));

  it('control: the real token is active for its agent and for its audience', async () => {
    const w = shared();
    await expectActive(await introspect(w.d, w.agent, w.token));
    await expectActive(await introspect(w.d, w.mailServer, w.token));
  });

  it.each(titled(forgeries, (r) => `${r.name} → introspection {active:false} (agent and resource server)`))('%s', async (_title, { make }) => {
    const w = shared();
    const forged = await make(w);
    await expectInactive(await introspect(w.d, w.agent, forged));
    await expectInactive(await introspect(w.d, w.mailServer, forged));
  });

  it.each(titled(forgeries, (r) => `${r.name} → token exchange 400 invalid_grant, nothing issued`))('%s', async (_title, { make }) => {
    const w = shared();
    const forged = await make(w);
    const issued = (await auditEvents(w.d, { type: 'token.issued' })).length;
    await expectError(await exchange(w.d, w.agent, forged), 400, 'invalid_grant');
    expect((await auditEvents(w.d, { type: 'token.issued' })).length).toBe(issued);
  });
});

describe('expired tokens', () => {
  it('a token past its 5-minute lifetime (clock +301 s) → introspection {active:false} for the agent and the resource server', async () => {
    const w = await tokenWorld();
    const claims = decodeJwt(w.token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(300);
    w.d.clock.advance(301);
    await expectInactive(await introspect(w.d, w.agent, w.token));
    await expectInactive(await introspect(w.d, w.mailServer, w.token));
  });

  // A lapsed token may be renewed by its own client while the grant lives (by design); these are the limits.
  it('a lapsed token exchanged by another agent → 400 invalid_grant', async () => {
    const w = await tokenWorld();
    const other = await w.d.registerAgent({ name: 'Other agent' });
    w.d.clock.advance(301);
    await expectError(await exchange(w.d, other, w.token), 400, 'invalid_grant');
  });

  it('a lapsed token of a revoked grant → exchange 400 invalid_grant', async () => {
    const w = await tokenWorld();
    w.d.clock.advance(301);
    expect((await w.d.admin('POST', `/grants/${w.grantId}/revoke`, {})).status).toBe(200);
    await expectError(await exchange(w.d, w.agent, w.token), 400, 'invalid_grant');
  });

  it('a lapsed token asking for another resource or more scope → 400 invalid_target / invalid_scope', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token } = await d.approvedToken(agent, { approve: { scope: ['mail.read'] } });
    d.clock.advance(301);
    await expectError(await exchange(d, agent, token, { resource: OTHER }), 400, 'invalid_target');
    await expectError(await exchange(d, agent, token, { scope: 'mail.read mail.send' }), 400, 'invalid_scope');
  });

  it('a token never outlives its grant: grant of 60 s, clock +61 s → {active:false} and exchange 400 invalid_grant', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token } = await d.approvedToken(agent, { approve: { expires_in: 60 } });
    const claims = decodeJwt(token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(60);
    d.clock.advance(61);
    await expectInactive(await introspect(d, agent, token));
    await expectError(await exchange(d, agent, token), 400, 'invalid_grant');
  });
});

describe('audience and client binding', () => {
  it('a resource server for another resource introspecting a MAIL token → {active:false}', async () => {
    const w = await tokenWorld();
    const other = await w.d.registerAgent({ kind: 'resource_server', name: 'Other API', scopes: [], resources: [OTHER] });
    await expectInactive(await introspect(w.d, other, w.token));
  });

  it('another agent introspecting the token → {active:false}', async () => {
    const w = await tokenWorld();
    const other = await w.d.registerAgent({ name: 'Other agent' });
    await expectInactive(await introspect(w.d, other, w.token));
  });

  it('exchange asking for another resource → 400 invalid_target, audited as token.refused', async () => {
    const w = await tokenWorld();
    await expectError(await exchange(w.d, w.agent, w.token, { resource: OTHER }), 400, 'invalid_target');
    await expectError(await exchange(w.d, w.agent, w.token, { audience: OTHER }), 400, 'invalid_target');
    const refused = await auditEvents(w.d, { type: 'token.refused' });
    expect(refused.map((e) => [e.outcome, e.detail?.error, e.detail?.asked_resource])).toEqual([
      ['refused', 'invalid_target', OTHER],
      ['refused', 'invalid_target', OTHER],
    ]);
  });

  it('exchange asking for a resource inside the agent’s ceiling but not this grant’s → 400 invalid_target', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent({ resources: [MAIL, CAL] });
    const { token } = await d.approvedToken(agent);
    await expectError(await exchange(d, agent, token, { resource: CAL }), 400, 'invalid_target');
  });

  it('exchange of the token by another agent → 400 invalid_grant', async () => {
    const w = await tokenWorld();
    const other = await w.d.registerAgent({ name: 'Other agent' });
    await expectError(await exchange(w.d, other, w.token), 400, 'invalid_grant');
  });

  it('exchange of the token by its own audience (the resource server) → 400 invalid_grant', async () => {
    const w = await tokenWorld();
    await expectError(await exchange(w.d, w.mailServer, w.token), 400, 'invalid_grant');
  });
});

describe('token size', () => {
  // authorization_details are copied into the token, and the daemon refuses tokens over 16,384 characters. A request
  // it accepts must either be refused up front (details over 4,096 normalised characters are) or yield a token that
  // works; here ~7 KB of details (the parameter limit is 16 KiB) must not produce a token that is dead on arrival.
  it('authorization_details the daemon accepts never yield a token the daemon itself rejects', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const details = JSON.stringify(Array.from({ length: 13 }, (_, n) => ({ type: 'email', identifier: 'x'.repeat(500), n })));
    const res = await d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL, authorization_details: details }, auth(agent));
    if (res.status !== 200) {
      await expectError(res, 400, 'invalid_authorization_details');
      return;
    }
    const authReqId = bcAuthorizeResponse.parse(await res.json()).auth_req_id;
    expect((await d.admin('POST', `/requests/${authReqId}/approve`, {})).status).toBe(200);
    const collected = await poll(d, agent, authReqId);
    expect(collected.status).toBe(200);
    const token = tokenResponse.parse(await collected.json()).access_token;
    await expectActive(await introspect(d, agent, token));
    expect((await exchange(d, agent, token)).status).toBe(200);
  });
});
