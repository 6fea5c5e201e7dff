/**
 * The access tokens the ceilings are presented and issue. The daemon's tokens are RFC 9068 JWTs (architecture:
 * ES256, `typ: at+jwt`, the claims `iss`, `sub`, `act`, `client_id`, `aud`, `scope`, `grant_id`, `jti`, `iat`,
 * `exp`), about 570 characters, and a resource server or agent presents one in every introspection and exchange. A
 * bound must read the same request, so a ceiling that checks a presented token is given a JWT, not a bare `jti`:
 * in bench/http.ts the very token the daemon issued (`CEILING_TOKEN`), run alone one of its own of the same shape.
 *
 * `tokenIndex` finds a presented token's `jti` the cheapest way a server that issues JWTs can, as the daemon's
 * verifier finds a token it has already verified (daemon/src/tokens/verify.ts): by its signature segment, then the
 * exact text. No signature check per request and no payload decode: a verified token is remembered, with its claims,
 * which an active token's introspection answer carries (shared/src/oauth.ts, `introspectionResponse`).
 */
import { generateKeyPairSync, sign } from 'node:crypto';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const HEADER = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })).toString('base64url');

/** An ES256 JWT with the daemon's claim set (issuer, person, agent, audience, scope, grant, times), signed with node:crypto. */
export function signedAccessToken(jti: string, grantId = 'grant'): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'http://127.0.0.1', sub: 'user:bench', act: { sub: 'agent' }, client_id: 'agent', aud: 'https://mail.example/' };
  const payload = Buffer.from(JSON.stringify({ ...claims, scope: 'mail.read', grant_id: grantId, jti, iat: now, exp: now + 300 })).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${HEADER}.${payload}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${HEADER}.${payload}.${signature.toString('base64url')}`;
}

/** A presented token: its text, its `jti`, and its claims (the payload, as the daemon's verifier keeps them). */
export interface PresentedToken {
  token: string;
  jti: string;
  claims: Record<string, unknown>;
}

/** The payload of a compact JWT, read without verifying it (the token was issued by the bench's own daemon or by this module). */
function claimsOf(token: string): Record<string, unknown> & { jti: string } {
  const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  if (typeof payload !== 'object' || payload === null || !('jti' in payload) || typeof payload.jti !== 'string') {
    throw new Error('CEILING_TOKEN is not a JWT with a jti claim');
  }
  return payload as Record<string, unknown> & { jti: string };
}

/** The token a ceiling's load presents: `CEILING_TOKEN` if set (the daemon's own, from bench/http.ts), else a fresh one for `jti`. */
export function presentedToken(jti: string, grantId?: string): PresentedToken {
  const token = process.env.CEILING_TOKEN || signedAccessToken(jti, grantId);
  const claims = claimsOf(token);
  return { token, jti: claims.jti, claims };
}

/** Finds a presented token's `jti` among those known: by the signature segment, then the exact text; undefined if unknown. */
export function tokenIndex(known: readonly PresentedToken[]): (presented: string) => string | undefined {
  const bySignature = new Map(known.map((k) => [k.token.slice(k.token.lastIndexOf('.') + 1), k]));
  return (presented) => {
    const entry = bySignature.get(presented.slice(presented.lastIndexOf('.') + 1));
    return entry !== undefined && entry.token === presented ? entry.jti : undefined;
  };
}
