import type { Context } from 'hono';
import type { AuthenticateClient } from '../http/client-auth.js';
import { OAuthError } from '../http/errors.js';
import { requestHeader } from '../http/incoming.js';
import type { ClientRecord } from '../store/clients.repo.js';

/** HTTP Basic client authentication that only a registered resource server passes. */
export function authenticateResourceServer(c: Context, authenticateClient: AuthenticateClient): ClientRecord {
  if (requestHeader(c, 'authorization') === undefined) {
    throw new OAuthError(401, 'invalid_client', 'resource server authentication required: HTTP Basic client_id:client_secret', {
      'WWW-Authenticate': 'Basic realm="mandate"',
    });
  }
  const client = authenticateClient(c, new Map());
  if (client.kind !== 'resource_server') {
    throw new OAuthError(403, 'unauthorized_client', 'only a client registered as a resource server may use this endpoint');
  }
  return client;
}
