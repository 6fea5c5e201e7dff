import type { Context } from 'hono';
import type { McpClients } from '../clients/mcp-clients.js';
import type { AuthenticateClient } from '../http/client-auth.js';
import { requestHeader } from '../http/incoming.js';
import type { ClientRecord } from '../store/clients.repo.js';

/**
 * OAuth 2.1 public clients (a registration or metadata document with `token_endpoint_auth_method` `none`) identify
 * themselves by `client_id` alone; everyone else authenticates. A request that carries credentials is always
 * authenticated, so naming a public client never skips a check a confidential one would get.
 */
export function publicOrAuthenticated(
  c: Context,
  form: Map<string, string>,
  mcp: McpClients,
  authenticateClient: AuthenticateClient,
): { client: ClientRecord; public: boolean } {
  const id = form.get('client_id');
  const bare = requestHeader(c, 'authorization') === undefined && !form.has('client_secret') && id !== undefined;
  const known = bare ? mcp.lookup(id) : undefined;
  if (known?.registration.public) return { client: known.client, public: true };
  return { client: authenticateClient(c, form), public: false };
}
