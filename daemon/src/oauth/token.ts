import { Hono } from 'hono';
import * as z from 'zod';
import {
  GRANT_TYPE_AUTHORIZATION_CODE,
  GRANT_TYPE_CIBA,
  GRANT_TYPE_REFRESH_TOKEN,
  GRANT_TYPE_TOKEN_EXCHANGE,
  TOKEN_TYPE_ACCESS_TOKEN,
  TOKEN_TYPE_JWT,
  resourceUri,
  type TokenErrorBody,
} from '#shared/oauth.js';
import type { McpClients } from '../clients/mcp-clients.js';
import type { AuthenticateClient } from '../http/client-auth.js';
import { OAuthError, badRequest } from '../http/errors.js';
import { parseForm, readForm } from '../http/form.js';
import { DelegationRefused } from '../tokens/refusal.js';
import type { TokenService } from '../tokens/service.js';
import { MAX_TOKEN_CHARS } from '../tokens/verify.js';
import type { CodeGrants } from './code-grant.js';
import { OAUTH_PATHS } from './metadata.js';
import { scopeParam } from './params.js';
import { publicOrAuthenticated } from './public-client.js';

const cibaParams = z.lazy(() => z.object({ auth_req_id: z.string({ error: 'is required' }).max(200) }));

const tokenTypes = [TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JWT] as const;
const exchangeParams = z.lazy(() =>
  z.object({
    subject_token: z.string({ error: 'is required' }).max(MAX_TOKEN_CHARS, 'is larger than any token this daemon issues'),
    subject_token_type: z.enum(tokenTypes, { error: `is required and must be ${TOKEN_TYPE_ACCESS_TOKEN}` }),
    requested_token_type: z.enum(tokenTypes, { error: `must be ${TOKEN_TYPE_ACCESS_TOKEN}` }).optional(),
    actor_token: z.string().optional(),
    actor_token_type: z.string().optional(),
    resource: resourceUri.optional(),
    audience: z.string().max(2048).optional(),
    scope: z.string().max(4000).optional(),
  }),
);

const codeParams = z.lazy(() =>
  z.object({
    code: z.string({ error: 'is required' }).max(200),
    redirect_uri: z.string({ error: 'is required' }).max(2000),
    code_verifier: z
      .string({ error: 'is required (PKCE)' })
      .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'must be 43 to 128 characters of [A-Za-z0-9._~-] (RFC 7636 §4.1)'),
    resource: resourceUri.optional(),
  }),
);

const refreshParams = z.lazy(() =>
  z.object({
    refresh_token: z.string({ error: 'is required' }).max(200),
    resource: resourceUri.optional(),
    scope: z.string().max(4000).optional(),
  }),
);

/** Grants open to clients that came through a metadata document or registration (MCP clients). */
const MCP_GRANTS: readonly string[] = [GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_REFRESH_TOKEN];

/**
 * Token endpoint: authorization code and refresh (MCP clients, public ones by client_id alone), CIBA poll
 * (first token) and RFC 8693 token exchange (renewal within the grant).
 */
export function tokenRoute(tokens: TokenService, authenticateClient: AuthenticateClient, mcp: McpClients, codes: CodeGrants) {
  return new Hono()
    .onError((err, c) => {
      // A refused delegation also says why, in the extension member mandate_reason (shared/src/oauth.ts).
      if (!(err instanceof DelegationRefused)) throw err;
      const body: TokenErrorBody = { error: err.code, error_description: err.description, mandate_reason: err.reason };
      return c.json(body, err.status);
    })
    .post(OAUTH_PATHS.token, async (c) => {
      const form = await readForm(c);
      const grantType = form.get('grant_type');
      if (grantType === undefined) throw badRequest('grant_type is required');
      const { client } = publicOrAuthenticated(c, form, mcp, authenticateClient);
      const registered = mcp.lookup(client.client_id);
      if (registered !== undefined && !MCP_GRANTS.includes(grantType)) {
        throw new OAuthError(400, 'unauthorized_client', 'this client may use the authorization_code and refresh_token grants only');
      }
      if (registered === undefined && MCP_GRANTS.includes(grantType)) {
        throw new OAuthError(400, 'unauthorized_client', 'agents added with `mandate agents add` use CIBA and token exchange, not this grant');
      }
      if (grantType === GRANT_TYPE_AUTHORIZATION_CODE) {
        const p = parseForm(codeParams, form);
        mcp.touch(client.client_id);
        return c.json(await codes.redeem(client, p));
      }
      if (grantType === GRANT_TYPE_REFRESH_TOKEN) {
        const p = parseForm(refreshParams, form);
        mcp.touch(client.client_id);
        return c.json(
          await codes.refresh(client, { refresh_token: p.refresh_token, resource: p.resource, scope: p.scope === undefined ? undefined : scopeParam(p.scope) }),
        );
      }
      if (grantType === GRANT_TYPE_CIBA) {
        const p = parseForm(cibaParams, form);
        return c.json(await tokens.pollCiba(client, p.auth_req_id));
      }
      if (grantType === GRANT_TYPE_TOKEN_EXCHANGE) {
        const p = parseForm(exchangeParams, form);
        if (p.actor_token !== undefined || p.actor_token_type !== undefined) {
          throw badRequest('actor_token is not supported: the authenticated client is the actor');
        }
        if (p.resource !== undefined && p.audience !== undefined && p.resource !== p.audience) {
          throw new OAuthError(400, 'invalid_target', 'resource and audience name different targets; a token has one audience');
        }
        const scope = p.scope === undefined ? undefined : scopeParam(p.scope);
        return c.json(await tokens.exchange(client, { subject_token: p.subject_token, scope, resource: p.resource ?? p.audience }));
      }
      throw new OAuthError(
        400,
        'unsupported_grant_type',
        `grant_type must be one of ${[...MCP_GRANTS, GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE].join(', ')}`,
      );
    });
}
