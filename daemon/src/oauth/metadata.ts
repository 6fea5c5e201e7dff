import { Hono } from 'hono';
import { GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE, SIGNING_ALG, type authorizationServerMetadata } from '../../../shared/src/oauth.js';
import type { z } from 'zod';
import type { DaemonContext } from '../context.js';

export const OAUTH_PATHS = {
  metadata: '/.well-known/oauth-authorization-server',
  jwks: '/jwks.json',
  bcAuthorize: '/bc-authorize',
  token: '/token',
  introspect: '/introspect',
  revoke: '/revoke',
} as const;

const CLIENT_AUTH = ['client_secret_basic', 'client_secret_post'];

/** RFC 8414 metadata and the JWKS (RFC 7517) that resource servers verify tokens with. */
export function metadataRoutes(ctx: DaemonContext) {
  const metadata: z.infer<typeof authorizationServerMetadata> & { access_token_signing_alg_values_supported: string[] } = {
    issuer: ctx.issuer,
    token_endpoint: ctx.issuer + OAUTH_PATHS.token,
    backchannel_authentication_endpoint: ctx.issuer + OAUTH_PATHS.bcAuthorize,
    introspection_endpoint: ctx.issuer + OAUTH_PATHS.introspect,
    revocation_endpoint: ctx.issuer + OAUTH_PATHS.revoke,
    jwks_uri: ctx.issuer + OAUTH_PATHS.jwks,
    grant_types_supported: [GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE],
    backchannel_token_delivery_modes_supported: ['poll'],
    backchannel_user_code_parameter_supported: false,
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH,
    access_token_signing_alg_values_supported: [SIGNING_ALG],
  };
  return new Hono().get(OAUTH_PATHS.metadata, (c) => c.json(metadata)).get(OAUTH_PATHS.jwks, (c) => c.json(ctx.keys.jwks));
}
