/**
 * The OAuth boundary: wire names and the shapes of what the daemon's standard endpoints answer.
 * Used by the daemon (to build answers), the CLI and tests (to read them), and agents written in TS.
 */
import * as z from 'zod';
import { isLoopbackHttp } from './loopback.js';

export const GRANT_TYPE_CIBA = 'urn:openid:params:grant-type:ciba';
export const GRANT_TYPE_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const GRANT_TYPE_AUTHORIZATION_CODE = 'authorization_code';
export const GRANT_TYPE_REFRESH_TOKEN = 'refresh_token';
export const TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const ACCESS_TOKEN_TYP = 'at+jwt';
export const SIGNING_ALG = 'ES256';
/** Hard ceiling for any access token's lifetime (security checklist item 12). */
export const MAX_TOKEN_LIFETIME_SECONDS = 300;

/** RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ). */
export const SCOPE_TOKEN_RE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
export const scopeToken = z.lazy(() => z.string().max(200).regex(SCOPE_TOKEN_RE, 'not a valid scope token (RFC 6749 §3.3)'));

/** Parses a space-delimited `scope` value into unique tokens, in order. Throws on bad syntax. */
export function parseScope(value: string): string[] {
  const tokens = value.split(' ').filter((t) => t !== '');
  if (tokens.length === 0) throw new ScopeSyntaxError('scope is empty');
  for (const t of tokens) {
    if (!SCOPE_TOKEN_RE.test(t) || t.length > 200) throw new ScopeSyntaxError(`"${t.slice(0, 40)}" is not a valid scope token`);
  }
  return [...new Set(tokens)];
}

export class ScopeSyntaxError extends Error {
  override name = 'ScopeSyntaxError';
}

/** RFC 8707 resource indicator: an absolute URI without a fragment. */
export const resourceUri = z.lazy(() =>
  z
    .string()
    .max(2048)
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.hash === '' && !v.includes('#') && /^[a-z][a-z0-9+.-]*:$/.test(u.protocol);
      } catch {
        return false;
      }
    }, 'must be an absolute URI without a fragment (RFC 8707)'),
);

const shortStrings = z.lazy(() => z.array(z.string().max(512)).max(50));

/** RFC 9396 authorization details: `type` is required; common fields are typed, type-specific ones are kept as JSON. */
export const authorizationDetail = z.lazy(() =>
  z
    .object({
      type: z.string().min(1).max(200),
      actions: shortStrings.optional(),
      locations: shortStrings.optional(),
      datatypes: shortStrings.optional(),
      identifier: z.string().max(512).optional(),
      privileges: shortStrings.optional(),
    })
    .catchall(z.json()),
);
export const authorizationDetails = z.lazy(() => z.array(authorizationDetail).min(1).max(20));

/** Deepest nesting accepted in `authorization_details`; real RAR objects are two or three levels deep. */
export const MAX_JSON_DEPTH = 8;

/** True when a parsed JSON value nests deeper than `limit` (checked iteratively: no recursion to overflow). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
export type AuthorizationDetail = z.infer<typeof authorizationDetail>;

export const oauthErrorBody = z.lazy(() =>
  z.object({
    error: z.string(),
    error_description: z.string().optional(),
  }),
);

/** OpenID CIBA §7.3 successful authentication request acknowledgement. */
export const bcAuthorizeResponse = z.lazy(() =>
  z.object({
    auth_req_id: z.string(),
    expires_in: z.number().int().positive(),
    interval: z.number().int().positive(),
  }),
);
export type BcAuthorizeResponse = z.infer<typeof bcAuthorizeResponse>;

/** RFC 6749 §5.1 / RFC 8693 §2.2.1 token response. */
export const tokenResponse = z.lazy(() =>
  z.object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().positive(),
    scope: z.string(),
    issued_token_type: z.literal(TOKEN_TYPE_ACCESS_TOKEN).optional(),
    /** Authorization code and refresh grants only: rotated on every use, dies with the grant. */
    refresh_token: z.string().optional(),
    authorization_details: authorizationDetails.optional(),
    // Mandate extension members (RFC 6749 §5.1: a client ignores members it does not know). docs/protocol.md.
    /** Seconds until the delegation (the grant) ends; no token outlives it. */
    authorization_expires_in: z.number().int().nonnegative(),
    /** The delegation ends sooner than the agent asked (an organisational cap, or the person chose a shorter time). */
    mandate_shortened: z.boolean(),
    /** Fewer scopes were approved than the agent asked for (the person unticked some, or policy blocked them). */
    mandate_narrowed: z.boolean(),
  }),
);
export type TokenResponse = z.infer<typeof tokenResponse>;

/**
 * Mandate extension member of a token-endpoint error (RFC 6749 §5.2 allows more members): why no token comes
 * from this delegation any more. `error` stays the standard code (`invalid_grant`, or CIBA's `expired_token` /
 * `access_denied`); a program branches on this instead of parsing `error_description`.
 * - `revoked`: the person took the delegation back. Do not ask again on your own.
 * - `expired`: its time ran out. Ask again (a new CIBA request) if the task still needs it.
 * - `ended`: the agent itself ended it (RFC 7009 revocation of its token).
 * - `needs_approval`: still live, but policy makes the person approve each use; make a new CIBA request.
 */
export const MANDATE_REASONS = ['revoked', 'expired', 'ended', 'needs_approval'] as const;
export type MandateReason = (typeof MANDATE_REASONS)[number];
export const tokenErrorBody = z.lazy(() => oauthErrorBody.unwrap().extend({ mandate_reason: z.enum(MANDATE_REASONS).optional() }));
export type TokenErrorBody = z.infer<typeof tokenErrorBody>;

/** RFC 9068 access-token claims as Mandate issues them. */
export const accessTokenClaims = z.lazy(() =>
  z.object({
    iss: z.string(),
    sub: z.string(),
    act: z.object({ sub: z.string() }),
    client_id: z.string(),
    aud: z.string(),
    scope: z.string(),
    grant_id: z.string(),
    jti: z.string(),
    iat: z.number().int(),
    exp: z.number().int(),
    authorization_details: authorizationDetails.optional(),
  }),
);
export type AccessTokenClaims = z.infer<typeof accessTokenClaims>;

/** RFC 7662 introspection response: exactly `{active: false}` when inactive. */
export const introspectionResponse = z.lazy(() =>
  z.union([
    z.object({ active: z.literal(false) }).strict(),
    accessTokenClaims.unwrap().extend({
      active: z.literal(true),
      token_type: z.literal('Bearer'),
    }),
  ]),
);
export type IntrospectionResponse = z.infer<typeof introspectionResponse>;

/** RFC 8414 metadata fields Mandate publishes. */
export const authorizationServerMetadata = z.lazy(() =>
  z.object({
    issuer: z.string(),
    token_endpoint: z.string(),
    backchannel_authentication_endpoint: z.string(),
    introspection_endpoint: z.string(),
    revocation_endpoint: z.string(),
    jwks_uri: z.string(),
    grant_types_supported: z.array(z.string()),
    backchannel_token_delivery_modes_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    introspection_endpoint_auth_methods_supported: z.array(z.string()),
    revocation_endpoint_auth_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()).optional(),
    response_types_supported: z.array(z.string()),
    authorization_details_types_supported: z.array(z.string()).optional(),
    backchannel_user_code_parameter_supported: z.boolean(),
    authorization_endpoint: z.string(),
    code_challenge_methods_supported: z.array(z.literal('S256')),
    client_id_metadata_document_supported: z.boolean(),
    /** Absent when organisation policy turns dynamic registration off. */
    registration_endpoint: z.string().optional(),
    authorization_response_iss_parameter_supported: z.boolean(),
  }),
);

/** A redirect URI a client may register: https, http on a loopback host (RFC 8252 §7.3), or a private-use scheme with a dot (§7.1). */
export const redirectUri = z.lazy(() =>
  z
    .string()
    .max(2000)
    .refine((v) => {
      try {
        const u = new URL(v);
        if (u.hash !== '' || v.includes('#')) return false;
        if (u.protocol === 'https:') return true;
        if (u.protocol === 'http:') return isLoopbackHttp(u);
        return /^[a-z][a-z0-9+-]*\.[a-z0-9+.-]+:$/.test(u.protocol);
      } catch {
        return false;
      }
    }, 'must be https, http on a loopback address, or a private-use scheme like com.example.app:'),
);

const httpsUrl = () => z.string().max(2000).url();

/** RFC 7591 client metadata as Mandate accepts it, from a registration request or a client ID metadata document. */
export const clientMetadata = z.lazy(() =>
  z.object({
    redirect_uris: z.array(redirectUri).min(1).max(20),
    client_name: z.string().min(1).max(100).optional(),
    client_uri: httpsUrl().optional(),
    logo_uri: httpsUrl().optional(),
    scope: z.string().max(4000).optional(),
    grant_types: z.array(z.string().max(100)).max(10).optional(),
    response_types: z.array(z.string().max(100)).max(10).optional(),
    token_endpoint_auth_method: z.string().max(100).optional(),
    software_id: z.string().max(200).optional(),
    software_version: z.string().max(100).optional(),
  }),
);
export type ClientMetadata = z.infer<typeof clientMetadata>;

/** A client ID metadata document (draft-ietf-oauth-client-id-metadata-document): `client_id` is its own URL. */
export const clientIdMetadataDocument = z.lazy(() => clientMetadata.unwrap().extend({ client_id: z.string().max(2000) }));

/** RFC 7591 §3.2.1 registration response. */
export const registrationResponse = z.lazy(() =>
  clientMetadata.unwrap().extend({
    client_id: z.string(),
    client_id_issued_at: z.number().int(),
    client_secret: z.string().optional(),
    client_secret_expires_at: z.number().int().optional(),
    token_endpoint_auth_method: z.string(),
    grant_types: z.array(z.string()),
    response_types: z.array(z.string()),
  }),
);
export type RegistrationResponse = z.infer<typeof registrationResponse>;
