import { Hono } from 'hono';
import type { AccessTokenClaims, IntrospectionResponse } from '#shared/oauth.js';
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
  // A resource server introspects the same token on every call it gets. The answer for an active token is its
  // claims, which the verifier keeps as one object per token: serialised once, and forgotten with that object.
  const bodies = new WeakMap<AccessTokenClaims, string>();
  const activeBody = (claims: AccessTokenClaims): string => {
    let body = bodies.get(claims);
    if (body === undefined) {
      body = JSON.stringify({ active: true, token_type: 'Bearer', ...claims } satisfies IntrospectionResponse);
      bodies.set(claims, body);
    }
    return body;
  };
  const json = { 'content-type': 'application/json' };
  return new Hono().post(OAUTH_PATHS.introspect, async (c) => {
    const form = await readForm(c);
    const caller = publicOrAuthenticated(c, form, mcp, authenticateClient);
    if (caller.public) {
      throw new OAuthError(401, 'invalid_client', 'public clients cannot introspect: introspection is for resource servers, which authenticate', {
        'WWW-Authenticate': 'Basic realm="mandate"',
      });
    }
    const p = parseForm(tokenParams, form);
    const answer = await tokens.introspect(caller.client, p.token);
    return answer.active ? c.body(activeBody(answer.claims), 200, json) : c.json({ active: false } satisfies IntrospectionResponse);
  });
}
