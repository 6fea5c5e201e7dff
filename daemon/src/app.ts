import { Hono, type Context } from 'hono';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { ADMIN_PREFIX } from '#shared/admin-contract.js';
import { adminRoutes } from './admin/routes.js';
import { mcpClients, type McpClientOptions } from './clients/mcp-clients.js';
import { clientService } from './clients/service.js';
import type { DaemonContext } from './context.js';
import { externalService } from './external/service.js';
import { revocationsRoute } from './feed/revocations.js';
import { toolCallsRoute } from './feed/tool-calls.js';
import { grantService } from './grants/service.js';
import { clientAuthenticator } from './http/client-auth.js';
import { OAuthError, errorResponse, onError } from './http/errors.js';
import { guarded } from './http/guard.js';
import { authorizeRoutes } from './oauth/authorize.js';
import { bcAuthorizeRoute } from './oauth/bc-authorize.js';
import { codeGrants } from './oauth/code-grant.js';
import { introspectRoute } from './oauth/introspect.js';
import { metadataRoutes } from './oauth/metadata.js';
import { registerRoute } from './oauth/register.js';
import { revokeRoute } from './oauth/revoke.js';
import { tokenRoute } from './oauth/token.js';
import { pairingService } from './pairing/service.js';
import { tokenService } from './tokens/service.js';

/** Composes the daemon: standard OAuth endpoints and the admin API, behind the local-only guard and body limit. */
export function createApp(ctx: DaemonContext, port: () => number, mcpOptions: McpClientOptions) {
  const grants = grantService(ctx);
  const tokens = tokenService(ctx, grants);
  const clients = clientService(ctx, grants);
  const pairing = pairingService(ctx);
  const external = externalService(ctx);
  const authenticateClient = clientAuthenticator(ctx);
  const mcp = mcpClients(ctx, mcpOptions);
  const codes = codeGrants(ctx, grants, tokens);

  const notFound = (c: Context) => errorResponse(c, new OAuthError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`));
  const handleError = onError(ctx.log);
  // The admin API is an app of its own: its `/grants/revoke-all` beside `/grants/:id/revoke` is a route table that
  // Hono's one-regex router cannot take, and sharing a table would put every request on the slower trie router.
  const admin = adminRoutes(ctx, { grants, clients, pairing, external });
  admin.notFound(notFound);
  admin.onError(handleError);

  // The standard endpoints are fixed paths, matched by one regular expression (bench/README.md, "Routing and garbage per request").
  const app = new Hono({ router: new RegExpRouter() })
    .route('/', metadataRoutes(ctx, mcp.registrationAllowed))
    .route('/', bcAuthorizeRoute(ctx, grants, authenticateClient))
    .route('/', authorizeRoutes(ctx, grants, mcp))
    .route('/', registerRoute(mcp))
    .route('/', tokenRoute(tokens, authenticateClient, mcp, codes))
    .route('/', introspectRoute(tokens, authenticateClient, mcp))
    .route('/', revokeRoute(tokens, authenticateClient, mcp, codes))
    .route('/', revocationsRoute(ctx, authenticateClient))
    .route('/', toolCallsRoute(ctx, authenticateClient))
    .mount(ADMIN_PREFIX, admin.fetch, { replaceRequest: false });

  app.notFound(notFound);
  app.onError(handleError);
  // Host/Origin guard, body limit and security headers in front of every route, `app.request` included
  // (it calls `app.fetch`): a wrapper, not a middleware (http/guard.ts says why).
  app.fetch = guarded(app.fetch, port);
  return { app, services: { grants, tokens, clients, pairing, external, mcp } };
}
