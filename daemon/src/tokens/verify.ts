import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import { ACCESS_TOKEN_TYP, SIGNING_ALG, accessTokenClaims, type AccessTokenClaims } from '#shared/oauth.js';
import type { Clock } from '../clock.js';
import type { SigningKeys } from './keys.js';

/** Larger than any token Mandate issues (authorization_details are capped at 4096 characters). */
export const MAX_TOKEN_CHARS = 16_384;

/** JWS compact serialization: three base64url segments without padding (RFC 7515 §2, §7.1). */
const COMPACT_JWS_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Longer than any grant can live, so grant liveness (checked by the caller) is what decides. */
const EXPIRED_TOLERANCE_SECONDS = 366 * 86400;

/** How many verified tokens are remembered (by their exact text); about 2 KB each. */
export const VERIFIED_TOKENS_KEPT = 2048;

/** `reason` may be shown to the caller; `detail` (jose's own message) is for the daemon log only. */
export type VerifyResult = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: string; detail?: string };

/** jose's error codes in plain words that reveal nothing about the verifier's internals. */
function publicReason(e: errors.JOSEError): string {
  if (e instanceof errors.JWTExpired) return 'token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `token claim ${e.claim} is not valid`;
  if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JWKSNoMatchingKey) return 'token is not signed by this daemon';
  return 'token could not be verified';
}

/**
 * Strict offline verification of a Mandate access token: pinned algorithm, `typ: at+jwt`, our issuer,
 * our keys, not expired, and the claim set Mandate issues. The audience is checked by the caller.
 */
export function tokenVerifier(keys: SigningKeys, issuer: string, clock: Clock) {
  const keySet = createLocalJWKSet(keys.jwks);
  /**
   * `acceptExpired` is for renewal and "task done" only: an agent that let its 5-minute token lapse may
   * still present it, with its client credentials, while the grant behind it is live. Introspection and
   * resource servers never accept an expired token.
   */
  // A resource server presents the same token on every call, and an agent renews from the same one: the
  // signature and claim checks of a token already verified are not repeated. A token is found by its signature
  // segment (hashing those 86 characters instead of the whole token, a new string on every call) and matched on its
  // exact text, so a token differing in any byte is verified afresh; the time checks below run on every call.
  const verified = new Map<string, { token: string; claims: AccessTokenClaims }>();
  const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1);
  const remember = (token: string, claims: AccessTokenClaims): void => {
    if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
    verified.set(signatureOf(token), { token, claims });
  };

  return async function verifyAccessToken(token: string, opts: { acceptExpired?: boolean } = {}): Promise<VerifyResult> {
    const entry = verified.get(signatureOf(token));
    const known = entry?.token === token ? entry.claims : undefined;
    if (known !== undefined) {
      // jose's rule: expired when exp <= now - tolerance
      if (known.exp > clock() - (opts.acceptExpired ? EXPIRED_TOLERANCE_SECONDS : 0)) return { ok: true, claims: known };
      if (!opts.acceptExpired) return { ok: false, reason: 'token has expired' };
      verified.delete(signatureOf(token));
    }
    if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'token is too large' };
    // the decoder tolerates padding and stray characters; a token is only ever the exact string we issued
    if (!COMPACT_JWS_RE.test(token)) return { ok: false, reason: 'token is not a compact JWS' };
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer,
        typ: ACCESS_TOKEN_TYP,
        algorithms: [SIGNING_ALG],
        currentDate: new Date(clock() * 1000),
        ...(opts.acceptExpired ? { clockTolerance: EXPIRED_TOLERANCE_SECONDS } : {}),
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
      });
      const parsed = accessTokenClaims.safeParse(payload);
      if (!parsed.success) return { ok: false, reason: 'token claims are not a Mandate access token' };
      remember(token, parsed.data);
      return { ok: true, claims: parsed.data };
    } catch (e) {
      if (e instanceof errors.JOSEError) return { ok: false, reason: publicReason(e), detail: `${e.code}: ${e.message}` };
      return { ok: false, reason: 'token could not be parsed' };
    }
  };
}
export type VerifyAccessToken = ReturnType<typeof tokenVerifier>;
