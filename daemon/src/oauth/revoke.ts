import { Hono } from 'hono';
import type { McpClients } from '../clients/mcp-clients.js';
import type { AuthenticateClient } from '../http/client-auth.js';
import { parseForm, readForm } from '../http/form.js';
import type { TokenService } from '../tokens/service.js';
import type { CodeGrants } from './code-grant.js';
import { OAUTH_PATHS } from './metadata.js';
import { tokenParams } from './params.js';
import { publicOrAuthenticated } from './public-client.js';

/**
 * RFC 7009: the caller's own access or refresh token ends its grant; an unknown or invalid token is 200 too.
 * Public clients (OAuth 2.1) identify themselves by `client_id` alone; a token of another client is refused
 * with `unauthorized_client` (§2.1) and nothing is revoked.
 */
export function revokeRoute(tokens: TokenService, authenticateClient: AuthenticateClient, mcp: McpClients, codes: CodeGrants) {
  return new Hono().post(OAUTH_PATHS.revoke, async (c) => {
    const form = await readForm(c);
    const { client } = publicOrAuthenticated(c, form, mcp, authenticateClient);
    const p = parseForm(tokenParams, form);
    if (!codes.revokeRefresh(client, p.token)) await tokens.revokeToken(client, p.token);
    return c.body(null, 200);
  });
}
