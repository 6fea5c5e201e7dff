import { Hono, type Context } from 'hono';
import {
  GRANT_TYPE_AUTHORIZATION_CODE,
  GRANT_TYPE_CIBA,
  GRANT_TYPE_REFRESH_TOKEN,
  GRANT_TYPE_TOKEN_EXCHANGE,
  SIGNING_ALG,
  type authorizationServerMetadata,
} from '#shared/oauth.js';
import type * as z from 'zod';
import { registeredResources } from '../clients/mcp-clients.js';
import type { DaemonContext } from '../context.js';
import { requestHeader } from '../http/incoming.js';

export const OAUTH_PATHS = {
  metadata: '/.well-known/oauth-authorization-server',
  jwks: '/jwks.json',
  bcAuthorize: '/bc-authorize',
  authorize: '/authorize',
  authorizeWait: '/authorize/wait',
  register: '/register',
  token: '/token',
  introspect: '/introspect',
  revoke: '/revoke',
} as const;

const CLIENT_AUTH = ['client_secret_basic', 'client_secret_post'];

/**
 * The issuer as the caller reached the daemon: `http://127.0.0.1:PORT` or `http://localhost:PORT` (or [::1]).
 * RFC 8414 §3.3 has clients compare the metadata's issuer with the URL they discovered it from, so each
 * loopback name gets a document of its own, with every endpoint on that same name. The Host header was
 * already checked by the local-only guard (http/local-only.ts); tokens keep the canonical `iss` (ctx.issuer).
 */
export function issuerFor(ctx: DaemonContext, c: Context): string {
  const host = (requestHeader(c, 'host') ?? '').toLowerCase();
  return host === '' ? ctx.issuer : `http://${host}`;
}

/** RFC 8414 metadata and the JWKS (RFC 7517) that resource servers verify tokens with. */
export function metadataRoutes(ctx: DaemonContext, registrationOpen: () => boolean) {
  /** The scopes the registered resource servers list, when any do. */
  const knownScopes = (): string[] => [...new Set([...registeredResources(ctx).values()].flat())].sort();
  const metadata = (
    issuer: string,
    registrationOpen: boolean,
  ): z.infer<typeof authorizationServerMetadata> & { access_token_signing_alg_values_supported: string[] } => ({
    issuer,
    authorization_endpoint: issuer + OAUTH_PATHS.authorize,
    token_endpoint: issuer + OAUTH_PATHS.token,
    backchannel_authentication_endpoint: issuer + OAUTH_PATHS.bcAuthorize,
    introspection_endpoint: issuer + OAUTH_PATHS.introspect,
    revocation_endpoint: issuer + OAUTH_PATHS.revoke,
    ...(registrationOpen ? { registration_endpoint: issuer + OAUTH_PATHS.register } : {}),
    jwks_uri: issuer + OAUTH_PATHS.jwks,
    grant_types_supported: [GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_REFRESH_TOKEN, GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
    ...(knownScopes().length > 0 ? { scopes_supported: knownScopes() } : {}),
    backchannel_token_delivery_modes_supported: ['poll'],
    backchannel_user_code_parameter_supported: false,
    token_endpoint_auth_methods_supported: ['none', ...CLIENT_AUTH],
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH,
    // public clients revoke their own tokens by client_id alone (RFC 7009 §2.1, OAuth 2.1); introspection stays authenticated
    revocation_endpoint_auth_methods_supported: ['none', ...CLIENT_AUTH],
    access_token_signing_alg_values_supported: [SIGNING_ALG],
  });
  // The documents change only when a resource server is added or removed, or the registration policy flips:
  // each is serialised once per loopback name and served as it is until then.
  const documents = new Map<string, { version: string; body: string }>();
  const jwks = JSON.stringify(ctx.keys.jwks); // the keys are loaded once, at start-up (tokens/keys.ts)
  const json = { 'content-type': 'application/json' };
  return new Hono()
    .get(OAUTH_PATHS.metadata, (c) => {
      const issuer = issuerFor(ctx, c);
      const open = registrationOpen();
      const version = `${ctx.clients.generation()}:${open}`;
      let doc = documents.get(issuer);
      if (doc?.version !== version) {
        doc = { version, body: JSON.stringify(metadata(issuer, open)) };
        documents.set(issuer, doc);
      }
      return c.body(doc.body, 200, json);
    })
    .get(OAUTH_PATHS.jwks, (c) => c.body(jwks, 200, json));
}
