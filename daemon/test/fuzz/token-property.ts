/**
 * Property over tokens: real tokens from real grants, then tampered (bits flipped in header, payload or
 * signature, algorithm swapped, kid changed, claims re-signed with another key), expired on the fuzzer's clock,
 * or from a revoked grant. None may introspect `active: true`, renew by token exchange, or revoke the live grant
 * when sent to /revoke. An untouched live token must stay active, so the property cannot pass vacuously.
 */
import fc from 'fast-check';
import { adminPath } from '#shared/admin-contract.js';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { createHmac } from 'node:crypto';
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN } from '#shared/oauth.js';
import { basicAuth, startFuzzTarget, type FuzzTarget } from './target.js';

export interface TokenWorld {
  target: FuzzTarget;
  live: string[];
  revoked: string[];
  attacker: { key: CryptoKey; jwk: JWK };
  daemonJwk: JWK;
  counts: Map<string, number>;
}

export async function startTokenWorld(): Promise<TokenWorld> {
  const target = await startFuzzTarget();
  const live: string[] = [];
  const revoked: string[] = [];
  for (let i = 0; i < 2; i++) {
    const id = await target.request();
    await target.approve(id);
    live.push(await target.firstToken(id));
  }
  const r = await target.request();
  const rg = await target.approve(r);
  const rt = await target.firstToken(r);
  revoked.push(rt, await exchangeToken(target, rt));
  await target.revokeGrant(rg);
  target.takeWrites();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = (await (await target.call('GET', '/jwks.json', { headers: { host: target.host } })).json()) as { keys: JWK[] };
  return { target, live, revoked, attacker: { key: privateKey, jwk: await exportJWK(publicKey) }, daemonJwk: jwks.keys[0]!, counts: new Map() };
}

async function exchangeToken(t: FuzzTarget, token: string): Promise<string> {
  const res = await form(t, '/token', { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN }, 'agent');
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`exchange failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

function form(t: FuzzTarget, path: string, params: Record<string, string>, who: 'agent' | 'rs'): Promise<Response> {
  const c = who === 'agent' ? t.agent : t.resourceServer;
  return t.call('POST', path, {
    headers: { host: t.host, 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(c.client_id, c.client_secret) },
    body: new URLSearchParams(params).toString(),
  });
}

// ---- tampering ------------------------------------------------------------------------------------------------

export type Tamper =
  | { kind: 'intact' }
  | { kind: 'flip'; segment: 0 | 1 | 2; at: number; bit: number }
  | { kind: 'alg'; alg: 'none' | 'HS256' | 'ES384' | 'EdDSA' | 'RS256' }
  | { kind: 'kid'; kid: string; resign: boolean }
  | { kind: 'claims'; claim: 'scope' | 'exp' | 'aud' | 'grant_id' | 'iss' | 'client_id' | 'sub'; embedJwk: boolean }
  | { kind: 'expire'; after: number }
  | { kind: 'text'; op: 'truncate' | 'extra-segment' | 'pad' | 'lower' | 'double-dot' | 'swap-sig' };

export interface TokenCase {
  source: 'live' | 'revoked';
  pick: number;
  tamper: Tamper;
}

const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  fc.constant<Tamper>({ kind: 'intact' }),
  fc.record({ kind: fc.constant('flip' as const), segment: fc.constantFrom<0 | 1 | 2>(0, 1, 2), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({
    kind: fc.constant('alg' as const),
    alg: fc.constantFrom<'none' | 'HS256' | 'ES384' | 'EdDSA' | 'RS256'>('none', 'HS256', 'ES384', 'EdDSA', 'RS256'),
  }),
  fc.record({
    kind: fc.constant('kid' as const),
    kid: fc.oneof(fc.constantFrom('', '../../etc/passwd', "' OR 1=1 --", 'x'.repeat(300)), fc.string({ maxLength: 20 })),
    resign: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('claims' as const),
    claim: fc.constantFrom<'scope' | 'exp' | 'aud' | 'grant_id' | 'iss' | 'client_id' | 'sub'>('scope', 'exp', 'aud', 'grant_id', 'iss', 'client_id', 'sub'),
    embedJwk: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('expire' as const), after: fc.oneof(fc.constantFrom(0, 1, 300, 3600, 86_400 * 400), fc.nat({ max: 10 ** 7 })) }),
  fc.record({
    kind: fc.constant('text' as const),
    op: fc.constantFrom<'truncate' | 'extra-segment' | 'pad' | 'lower' | 'double-dot' | 'swap-sig'>(
      'truncate',
      'extra-segment',
      'pad',
      'lower',
      'double-dot',
      'swap-sig',
    ),
  }),
);

export const tokenCase: fc.Arbitrary<TokenCase> = fc.record({ source: fc.constantFrom<'live' | 'revoked'>('live', 'revoked'), pick: fc.nat(), tamper });

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function resign(w: TokenWorld, header: Record<string, unknown>, payload: Record<string, unknown>, embedJwk = false): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ ...header, alg: 'ES256', ...(embedJwk ? { jwk: w.attacker.jwk } : {}) } as { alg: string })
    .sign(w.attacker.key);
}

/** The tampered token, and the clock to present it at (undefined: now). */
async function apply(w: TokenWorld, token: string, t: Tamper): Promise<{ token: string; at?: number }> {
  const [h = '', p = '', s = ''] = token.split('.');
  const header = decodeProtectedHeader(token) as Record<string, unknown>;
  const payload = decodeJwt(token) as Record<string, unknown>;
  switch (t.kind) {
    case 'intact':
      return { token };
    case 'flip': {
      const segs = [h, p, s].map((x) => Buffer.from(x, 'base64url'));
      const seg = segs[t.segment]!;
      seg[t.at % seg.length]! ^= 1 << t.bit;
      return { token: segs.map((b) => b.toString('base64url')).join('.') };
    }
    case 'alg': {
      const hdr = b64({ ...header, alg: t.alg });
      if (t.alg === 'none') return { token: `${hdr}.${p}.` };
      if (t.alg === 'HS256') {
        // key confusion: HMAC keyed with the daemon's public key, as a verifier trusting `alg` would check it
        const mac = createHmac('sha256', JSON.stringify(w.daemonJwk)).update(`${hdr}.${p}`).digest('base64url');
        return { token: `${hdr}.${p}.${mac}` };
      }
      return { token: `${hdr}.${p}.${s}` };
    }
    case 'kid':
      if (t.resign) return { token: await resign(w, { ...header, kid: t.kid }, payload) };
      return { token: `${b64({ ...header, kid: t.kid })}.${p}.${s}` };
    case 'claims': {
      const forged = { ...payload };
      if (t.claim === 'scope') forged.scope = 'mail.read mail.send calendar.write admin';
      if (t.claim === 'exp') forged.exp = (payload.exp as number) + 10 ** 6;
      if (t.claim === 'aud') forged.aud = 'https://calendar.example/';
      if (t.claim === 'grant_id') forged.grant_id = 'g_forged';
      if (t.claim === 'iss') forged.iss = 'http://127.0.0.1:1';
      if (t.claim === 'client_id') forged.client_id = w.target.resourceServer.client_id;
      if (t.claim === 'sub') forged.sub = 'user:mallory@test-host';
      // same kid as the daemon's key, signed by someone else (optionally offering its own key in the header)
      return { token: await resign(w, header, forged, t.embedJwk) };
    }
    case 'expire':
      return { token, at: (payload.exp as number) + t.after };
    case 'text': {
      if (t.op === 'truncate') return { token: token.slice(0, -2) };
      if (t.op === 'extra-segment') return { token: `${token}.${s}` };
      if (t.op === 'pad') return { token: `${token}==` };
      if (t.op === 'lower') return { token: token.toLowerCase() };
      if (t.op === 'double-dot') return { token: `${h}..${s}` };
      return { token: `${h}.${p}.${(w.revoked[0] ?? token).split('.')[2]}` };
    }
  }
}

async function introspects(w: TokenWorld, token: string, who: 'agent' | 'rs'): Promise<unknown> {
  const res = await form(w.target, '/introspect', { token }, who);
  const text = await res.text();
  if (res.status >= 500) throw new Error(`introspection answered ${res.status}: ${text}`);
  return res.status === 200 ? (JSON.parse(text) as unknown) : { status: res.status };
}

async function grantExpiry(w: TokenWorld, token: string): Promise<number> {
  const grantId = String(decodeJwt(token).grant_id);
  const res = await w.target.call('GET', adminPath('grants.get', { id: grantId }), {
    headers: { host: w.target.host, authorization: `Bearer ${w.target.adminToken}` },
  });
  const g = (await res.json()) as { expires_at?: number };
  if (typeof g.expires_at !== 'number') throw new Error(`grant ${grantId} has no expiry: ${JSON.stringify(g)}`);
  return g.expires_at;
}

const isActive = (v: unknown) => typeof v === 'object' && v !== null && (v as { active?: unknown }).active === true;

export async function runTokenCase(w: TokenWorld, c: TokenCase): Promise<void> {
  const pool = c.source === 'live' ? w.live : w.revoked;
  const original = pool[c.pick % pool.length]!;
  const { token, at } = await apply(w, original, c.tamper);
  const label = c.tamper.kind === 'intact' ? `${c.source} intact` : c.source === 'revoked' ? 'revoked' : c.tamper.kind;
  w.counts.set(label, (w.counts.get(label) ?? 0) + 1);
  const shouldBeActive = c.source === 'live' && c.tamper.kind === 'intact';
  const t = w.target;
  const now = t.clock();
  if (at !== undefined) t.clock.set(Math.max(now, at));
  try {
    t.takeWrites();
    for (const who of ['rs', 'agent'] as const) {
      const body = await introspects(w, token, who);
      if (isActive(body) !== shouldBeActive) {
        throw new Error(`${label} token introspected by ${who}: ${JSON.stringify(body)} (expected active: ${shouldBeActive})`);
      }
      if (!shouldBeActive && JSON.stringify(body) !== '{"active":false}')
        throw new Error(`inactive answer is not exactly {"active":false}: ${JSON.stringify(body)}`);
    }
    // a lapsed genuine token may renew while its grant lives (architecture §2 A.5): only past the grant is that refused
    const renewable = c.tamper.kind === 'expire' && c.source === 'live' && (at ?? 0) < (await grantExpiry(w, original));
    if (!shouldBeActive && !renewable) {
      const ex = await form(t, '/token', { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN }, 'agent');
      const exText = await ex.text();
      if (ex.status === 200 || ex.status >= 500) throw new Error(`${label} token exchanged: ${ex.status} ${exText}`);
      // RFC 7009: 200 whatever the token, but a token that is not genuine must not end the grant it imitates
      // (an expired genuine token is still the agent's own: revoking with it may legitimately end the grant)
      if (c.tamper.kind !== 'expire') {
        const rv = await form(t, '/revoke', { token }, 'agent');
        if (rv.status >= 500) throw new Error(`/revoke answered ${rv.status}`);
      }
      const writes = t.takeWrites().filter((x) => !x.tbl.startsWith('audit') && x.op !== 'bookkeeping');
      if (writes.length) throw new Error(`a ${label} token caused writes: ${JSON.stringify(writes)}`);
    }
  } finally {
    t.clock.set(now);
  }
  if (!shouldBeActive && c.source === 'live') {
    // the genuine token it came from is still live
    if (!isActive(await introspects(w, original, 'rs'))) throw new Error(`presenting a ${label} token ended the genuine one's grant`);
  }
}

export const tokenProperty = (w: TokenWorld) => fc.asyncProperty(tokenCase, (c) => runTokenCase(w, c));
