import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../clock.js';
import type { PairingService } from '../pairing/service.js';
import type { CredentialRecord } from '../store/credentials.repo.js';
import { DpopError, dpopVerifier } from './dpop.js';
import { OAuthError, errorResponse } from './errors.js';
import { requestHeader } from './incoming.js';
import { failureLimiter } from './rate-limit.js';

export type AdminEnv = { Variables: { credential: CredentialRecord } };

const AUTH_RE = /^(Bearer|DPoP) ([A-Za-z0-9._~+/=-]+)$/;
const READ_METHODS = new Set(['GET', 'HEAD']);
const CHALLENGE = 'Bearer realm="mandate", DPoP realm="mandate" algs="ES256"';

/**
 * Every admin route needs a paired credential (localhost is not authentication). Two kinds:
 * - the CLI credential (0600 file in the data dir): `Authorization: Bearer`, and no Origin;
 * - an extension credential: `Authorization: DPoP` with a DPoP proof signed by the key it was paired with
 *   (RFC 9449), and the Origin it was paired from (required on state changes; never another one).
 *   A captured extension credential is useless on its own.
 */
export function adminAuth(pairing: PairingService, clock: Clock): MiddlewareHandler<AdminEnv> {
  const limiter = failureLimiter(20, 60, clock);
  const verifyProof = dpopVerifier(clock);
  return async (c, next) => {
    const refuse = (status: 401 | 403, code: 'invalid_token' | 'invalid_dpop_proof' | 'access_denied', description: string) =>
      errorResponse(c, new OAuthError(status, code, description, status === 401 ? { 'WWW-Authenticate': `${CHALLENGE}, error="${code}"` } : {}));
    const match = AUTH_RE.exec(requestHeader(c, 'authorization')?.trim() ?? '');
    const credential = match ? pairing.authenticate(match[2]!) : undefined;
    if (!match || !credential) {
      // Valid credentials always pass: counting failures must not let any local process lock the person out.
      if (match) limiter.fail('admin');
      const wait = limiter.retryAfter('admin');
      if (wait > 0) {
        return errorResponse(
          c,
          new OAuthError(429, 'temporarily_unavailable', `too many failed admin authentications; retry in ${wait}s`, { 'Retry-After': String(wait) }),
        );
      }
      return refuse(
        401,
        'invalid_token',
        match
          ? 'credential is unknown or revoked; pair again'
          : 'admin routes need "Authorization: Bearer <credential>" (CLI) or "Authorization: DPoP <credential>" with a DPoP proof (extension)',
      );
    }
    const [, scheme, secret] = match;
    const origin = requestHeader(c, 'origin');
    if (credential.kind === 'cli') {
      if (scheme !== 'Bearer') return refuse(401, 'invalid_token', 'the CLI credential is sent as "Authorization: Bearer"');
      if (origin !== undefined) return refuse(403, 'access_denied', `the CLI credential may not be used from origin ${origin.slice(0, 100)}`);
    } else {
      if (credential.jkt === null) return refuse(401, 'invalid_token', 'this extension credential is not bound to a proof key; pair the extension again');
      if (scheme !== 'DPoP') return refuse(401, 'invalid_token', 'an extension credential is sent as "Authorization: DPoP" with a DPoP proof');
      // Chromium sends no Origin on an extension's GET to a host it has permission for, so reads rest on the
      // DPoP proof alone; every state change needs the Origin too, and a foreign Origin is always refused.
      if (origin === undefined ? !READ_METHODS.has(c.req.method) : origin !== credential.origin) {
        return refuse(
          403,
          'access_denied',
          origin === undefined
            ? 'an extension credential needs the Origin of the extension it was paired from'
            : `credential was not paired from origin ${origin.slice(0, 100)}`,
        );
      }
      try {
        await verifyProof({
          proof: requestHeader(c, 'dpop'),
          method: c.req.method,
          url: c.req.url,
          credential: secret!,
          jkt: credential.jkt,
          credentialId: credential.id,
        });
      } catch (e) {
        if (e instanceof DpopError) return refuse(401, 'invalid_dpop_proof', e.message);
        throw e;
      }
    }
    pairing.used(credential);
    c.set('credential', credential);
    await next();
  };
}
