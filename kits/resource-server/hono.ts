import type { MiddlewareHandler } from 'hono';
import { MandateTokenError, bearerToken } from './errors.js';
import type { VerifiedToken, Verifier } from './verifier.js';

export interface MandateEnv {
  Variables: { mandate: VerifiedToken };
}

/** Hono middleware: a valid, live Mandate token with `scope` is required; `c.get('mandate')` is the verified token. */
export function mandateAuth(o: { verifier: Verifier; scope?: string | readonly string[] }): MiddlewareHandler<MandateEnv> {
  if (!o?.verifier) throw new TypeError('mandateAuth: verifier is required');
  const challenge = { resourceMetadata: o.verifier.options.resourceMetadata };
  return async function mandateAuthMiddleware(c, next) {
    try {
      const token = bearerToken(c.req.header('authorization'), challenge);
      c.set('mandate', await o.verifier.verify(token, o.scope === undefined ? {} : { scope: o.scope }));
    } catch (e) {
      if (!(e instanceof MandateTokenError)) throw e;
      c.header('WWW-Authenticate', e.wwwAuthenticate());
      c.header('Cache-Control', 'no-store');
      return c.json(e.body(), e.status);
    }
    await next();
  };
}
