import { Hono } from 'hono';
import type { McpClients } from '../clients/mcp-clients.js';
import type { AuthenticateClient } from '../http/client-auth.js';
import { OAuthError } from '../http/errors.js';
import { parseForm, readForm } from '../http/form.js';
import type { TokenService } from '../tokens/service.js';
import { OAUTH_PATHS } from './metadata.js';
import { tokenParams } from './params.js';
import { publicOrAuthenticated } from './public-client.js';

/**
 * RFC 7662 introspection for authenticated agents (own tokens) and resource servers (their audiences).
 * A public client cannot call it (RFC 7662 §2.1 requires authorization, and introspection is for resource servers).
 */
export function introspectRoute(tokens: TokenService, authenticateClient: AuthenticateClient, mcp: McpClients) {
  return new Hono().post(OAUTH_PATHS.introspect, async (c) => {
    const form = await readForm(c);
    const caller = publicOrAuthenticated(c, form, mcp, authenticateClient);
    if (caller.public) {
      throw new OAuthError(401, 'invalid_client', 'public clients cannot introspect: introspection is for resource servers, which authenticate', {
        'WWW-Authenticate': 'Basic realm="mandate"',
      });
    }
    const p = parseForm(tokenParams, form);
    return c.json(await tokens.introspect(caller.client, p.token));
  });
}
