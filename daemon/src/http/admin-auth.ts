import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../clock.js';
import type { PairingService } from '../pairing/service.js';
import type { CredentialRecord } from '../store/credentials.repo.js';
import { OAuthError, errorResponse } from './errors.js';
import { failureLimiter } from './rate-limit.js';

export type AdminEnv = { Variables: { credential: CredentialRecord } };

const BEARER_RE = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

/**
 * Every admin route needs a paired credential (localhost is not authentication), and a request that
 * carries an Origin must come from the origin that credential was paired from.
 */
export function adminAuth(pairing: PairingService, clock: Clock): MiddlewareHandler<AdminEnv> {
  const limiter = failureLimiter(20, 60, clock);
  return async (c, next) => {
    const fail = (description: string) =>
      errorResponse(c, new OAuthError(401, 'invalid_token', description, { 'WWW-Authenticate': 'Bearer realm="mandate"' }));
    const match = BEARER_RE.exec(c.req.header('authorization')?.trim() ?? '');
    const credential = match ? pairing.authenticate(match[1]!) : undefined;
    if (!credential) {
      // Valid credentials always pass: counting failures must not let any local process lock the person out.
      if (match) limiter.fail('admin');
      const wait = limiter.retryAfter('admin');
      if (wait > 0) {
        return errorResponse(c, new OAuthError(429, 'temporarily_unavailable', `too many failed admin authentications; retry in ${wait}s`, { 'Retry-After': String(wait) }));
      }
      return fail(
        match
          ? 'credential is unknown or revoked; pair again'
          : 'admin routes need "Authorization: Bearer <credential>"; pair the extension or use the mandate CLI',
      );
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== credential.origin) {
      return errorResponse(c, new OAuthError(403, 'access_denied', `credential was not paired from origin ${origin.slice(0, 100)}`));
    }
    c.set('credential', credential);
    await next();
  };
}
