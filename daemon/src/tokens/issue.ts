import { sign } from 'node:crypto';
import { ACCESS_TOKEN_TYP, MAX_TOKEN_LIFETIME_SECONDS, SIGNING_ALG, type AccessTokenClaims } from '#shared/oauth.js';
import { randomId } from '../crypto.js';
import type { GrantRecord } from '../store/grants.repo.js';
import type { SigningKeys } from './keys.js';

/**
 * JWS compact serialisation (RFC 7515 §7.1) with ES256 (RFC 7518 §3.4: the raw r‖s signature, which is
 * `ieee-p1363` in Node). Signed with node:crypto in the request's own turn: WebCrypto's sign costs a
 * thread-pool round trip that was 15 % of a token exchange (bench/README.md). Verified with jose as before.
 */
function signCompact(keys: SigningKeys, payload: object): string {
  const header = Buffer.from(JSON.stringify({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYP, kid: keys.kid })).toString('base64url');
  const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

export interface IssuedToken {
  token: string;
  claims: AccessTokenClaims;
  expiresIn: number;
}

/**
 * Signs an RFC 9068 access token for a live grant: one audience, the given (already narrowed) scopes,
 * at most five minutes and never past the grant's own expiry.
 */
export function issueAccessToken(keys: SigningKeys, issuer: string, grant: GrantRecord, scopes: readonly string[], now: number): IssuedToken {
  if (grant.status !== 'approved' || grant.expires_at === null || grant.expires_at <= now) {
    throw new TypeError('issueAccessToken needs a live grant');
  }
  const exp = Math.min(now + MAX_TOKEN_LIFETIME_SECONDS, grant.expires_at);
  const claims: AccessTokenClaims = {
    iss: issuer,
    sub: grant.sub,
    act: { sub: grant.client_id },
    client_id: grant.client_id,
    aud: grant.resource,
    scope: scopes.join(' '),
    grant_id: grant.id,
    jti: randomId('at_'),
    iat: now,
    exp,
    ...(grant.authorization_details ? { authorization_details: grant.authorization_details } : {}),
  };
  return { token: signCompact(keys, claims), claims, expiresIn: exp - now };
}
