import { SignJWT } from 'jose';
import { ACCESS_TOKEN_TYP, MAX_TOKEN_LIFETIME_SECONDS, SIGNING_ALG, type AccessTokenClaims } from '#shared/oauth.js';
import { randomId } from '../crypto.js';
import type { GrantRecord } from '../store/grants.repo.js';
import type { SigningKeys } from './keys.js';

export interface IssuedToken {
  token: string;
  claims: AccessTokenClaims;
  expiresIn: number;
}

/**
 * Signs an RFC 9068 access token for a live grant: one audience, the given (already narrowed) scopes,
 * at most five minutes and never past the grant's own expiry.
 */
export async function issueAccessToken(keys: SigningKeys, issuer: string, grant: GrantRecord, scopes: readonly string[], now: number): Promise<IssuedToken> {
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
  const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYP, kid: keys.kid }).sign(keys.privateKey);
  return { token, claims, expiresIn: exp - now };
}
