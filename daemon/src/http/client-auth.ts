import type { Context } from 'hono';
import type { DaemonContext } from '../context.js';
import { matchesHash } from '../crypto.js';
import type { ClientRecord } from '../store/clients.repo.js';
import { OAuthError, badRequest } from './errors.js';
import { requestHeader } from './incoming.js';
import { failureLimiter } from './rate-limit.js';

const unauthorized = (description: string) => new OAuthError(401, 'invalid_client', description, { 'WWW-Authenticate': 'Basic realm="mandate"' });

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. Mandate's own ids and secrets need no decoding. */
function formDecode(value: string): string {
  return /[%+]/.test(value) ? decodeURIComponent(value.replace(/\+/g, ' ')) : value;
}

function presented(c: Context, form: Map<string, string>): { id: string; secret: string } {
  const header = requestHeader(c, 'authorization');
  if (header === undefined) {
    const id = form.get('client_id');
    const secret = form.get('client_secret');
    if (id === undefined || secret === undefined) {
      throw unauthorized('client authentication required: HTTP Basic, or client_id and client_secret in the body');
    }
    return { id, secret };
  }
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!match) throw unauthorized('Authorization header must use the Basic scheme with client_id:client_secret');
  if (form.has('client_secret')) throw badRequest('use one client authentication method, not Basic and client_secret together');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw unauthorized('Basic credentials must be client_id:client_secret');
  try {
    const id = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (form.has('client_id') && form.get('client_id') !== id) throw badRequest('client_id in the body does not match the authenticated client');
    return { id, secret };
  } catch (e) {
    if (e instanceof OAuthError) throw e;
    throw unauthorized('Basic credentials are not valid form-urlencoded text');
  }
}

/**
 * Client authentication for the agent and resource-server endpoints (client_secret_basic, client_secret_post).
 * Unknown client and wrong secret get the same answer; repeated failures for one client id are throttled.
 */
export function clientAuthenticator(ctx: DaemonContext) {
  const limiter = failureLimiter(10, 60, ctx.clock);
  return function authenticateClient(c: Context, form: Map<string, string>): ClientRecord {
    const { id, secret } = presented(c, form);
    if (id.length > 200 || secret.length > 200) throw unauthorized('client authentication failed');
    const client = ctx.clients.get(id);
    if (client && matchesHash(secret, client.secret_hash)) return client;
    // Secrets are 256-bit, so throttling is not what stops guessing; it caps noisy callers and the audit
    // rows they cause, without ever refusing the right secret (which would let anyone lock an agent out).
    const wait = limiter.retryAfter(id);
    if (wait > 0) {
      throw new OAuthError(429, 'temporarily_unavailable', `too many failed authentications for this client; retry in ${wait}s`, {
        'Retry-After': String(wait),
      });
    }
    limiter.fail(id);
    if (client) {
      ctx.audit.refuse({ type: 'client.auth_failed', outcome: 'refused', agent: client.client_id, detail: { path: c.req.path } }, ctx.tx.transact);
    }
    throw unauthorized('client authentication failed');
  };
}
export type AuthenticateClient = ReturnType<typeof clientAuthenticator>;
