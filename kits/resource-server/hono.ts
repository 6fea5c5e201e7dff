import type { MiddlewareHandler } from 'hono';
import { MandateTokenError, bearerToken } from './errors.js';
import type { Reporter } from './reporter.js';
import type { VerifiedToken, Verifier } from './verifier.js';

export interface MandateEnv {
  Variables: { mandate: VerifiedToken };
}

export interface MandateAuthOptions {
  verifier: Verifier;
  scope?: string | readonly string[];
  /**
   * With a reporter, a request is refused with 503 `unavailable` (and Retry-After) while its queue is full, before
   * any other work; with `tool` too, each allowed request is reported as a call of that tool.
   */
  reporter?: Reporter;
  tool?: string;
}

/** Hono middleware: a valid, live Mandate token with `scope` is required; `c.get('mandate')` is the verified token. */
export function mandateAuth(o: MandateAuthOptions): MiddlewareHandler<MandateEnv> {
  if (!o?.verifier) throw new TypeError('mandateAuth: verifier is required');
  const challenge = { resourceMetadata: o.verifier.options.resourceMetadata };
  const { reporter, tool } = o;
  return async function mandateAuthMiddleware(c, next) {
    try {
      reporter?.admit();
      const token = bearerToken(c.req.header('authorization'), challenge);
      const verified = await o.verifier.verify(token, o.scope === undefined ? {} : { scope: o.scope });
      if (tool !== undefined) reporter?.record({ tool, outcome: 'allowed', grantId: verified.grantId });
      c.set('mandate', verified);
    } catch (e) {
      if (!(e instanceof MandateTokenError)) throw e;
      c.header('WWW-Authenticate', e.wwwAuthenticate());
      c.header('Cache-Control', 'no-store');
      const retryAfter = e.retryAfterHeader;
      if (retryAfter !== undefined) c.header('Retry-After', retryAfter);
      return c.json(e.body(), e.status);
    }
    await next();
  };
}
