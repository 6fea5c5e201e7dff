import { calculateJwkThumbprint } from 'jose';
import { Hono } from 'hono';
import { ADMIN_ENDPOINTS } from '#shared/admin-contract.js';
import { isLoopbackHttp } from '#shared/loopback.js';
import { registerAdmin } from '../admin/adapter.js';
import type { DaemonContext } from '../context.js';
import { OAuthError, badRequest } from '../http/errors.js';
import { requestHeader } from '../http/incoming.js';
import { failureLimiter } from '../http/rate-limit.js';
import type { PairingService } from './service.js';

/** The daemon URL a caller says it uses, if it names this daemon (loopback, our port, no path): its origin. */
function ownUrl(issuer: string, claimed: string): string | undefined {
  let u: URL;
  try {
    u = new URL(claimed);
  } catch {
    return undefined;
  }
  const port = new URL(issuer).port;
  const plain = u.username === '' && u.password === '' && u.search === '' && u.hash === '' && u.pathname === '/';
  return plain && isLoopbackHttp(u) && u.port === port ? u.origin : undefined;
}

/**
 * The two unauthenticated admin routes: pairing (one-time code → extension credential bound to its proof key)
 * and the identity challenge the extension checks before it trusts whatever answers on the daemon's port.
 */
export function pairingRoutes(ctx: DaemonContext, pairing: PairingService) {
  const limiter = failureLimiter(5, 60, ctx.clock);

  const app = new Hono();
  // Each attempt is counted before its body is read: concurrent requests cannot all slip in under the limit.
  app.use(ADMIN_ENDPOINTS.pair.path, async (_c, next) => {
    const wait = limiter.retryAfter('pair');
    if (wait > 0) {
      throw new OAuthError(429, 'temporarily_unavailable', `too many pairing attempts; retry in ${wait}s`, { 'Retry-After': String(wait) });
    }
    limiter.fail('pair');
    await next();
  });
  registerAdmin(app, {
    pair: async ({ body, c }) => {
      const origin = requestHeader(c, 'origin');
      // local-only.ts already refused any Origin that is not an extension's
      if (origin === undefined) throw badRequest("pairing must come from the extension's settings page (no Origin header)");
      const paired = pairing.pair(body.code, origin, await calculateJwkThumbprint(body.jwk, 'sha256'), body.label);
      if (!paired) throw new OAuthError(400, 'invalid_grant', 'pairing code is wrong, expired or already used; run `mandate pair` for a new one');
      return paired;
    },
    identity: ({ body, c }) => {
      const origin = requestHeader(c, 'origin');
      if (origin === undefined) throw badRequest('the identity challenge is answered for an extension Origin only');
      const url = ownUrl(ctx.issuer, body.url);
      if (url === undefined) throw badRequest(`url must be this daemon's own address (port ${new URL(ctx.issuer).port}, no path)`);
      return { proof: pairing.proveIdentity({ challenge: body.challenge, origin, url }) };
    },
  });
  return app;
}
