import { Hono } from 'hono';
import * as z from 'zod';
import { MAX_JSON_DEPTH, authorizationDetails, nestsDeeperThan, resourceUri, type BcAuthorizeResponse } from '#shared/oauth.js';
import type { DaemonContext } from '../context.js';
import type { GrantService } from '../grants/service.js';
import type { AuthenticateClient } from '../http/client-auth.js';
import { OAuthError, badRequest } from '../http/errors.js';
import { parseForm, readForm } from '../http/form.js';
import { textProblem } from '#shared/text.js';
import { detailsProblem } from '#shared/authorization-details/model.js';
import { OAUTH_PATHS } from './metadata.js';
import { scopeParam } from './params.js';

const seconds = () =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number of seconds')
    .transform(Number)
    .pipe(z.number().int().positive());

const params = z.lazy(() =>
  z.object({
    scope: z.string({ error: 'is required' }).max(4000),
    resource: resourceUri.optional(),
    binding_message: z.string().max(500, 'must be at most 500 characters').optional(),
    requested_expiry: seconds().optional(),
    authorization_details: z.string().max(16_384).optional(),
    login_hint: z.string().max(320).optional(),
    client_notification_token: z.string().optional(),
    user_code: z.string().optional(),
    id_token_hint: z.string().optional(),
    login_hint_token: z.string().optional(),
  }),
);

/** authorization_details travel inside every token; this keeps tokens well under the verifier's size limit. */
const MAX_DETAILS_CHARS = 4096;

/**
 * OpenID CIBA backchannel authentication endpoint, poll mode. Mandate serves one person, so a hint is
 * optional; when given, it must name that person. `requested_expiry` is how long the agent asks the
 * delegation to last (see docs/protocol.md).
 */
export function bcAuthorizeRoute(ctx: DaemonContext, grants: GrantService, authenticateClient: AuthenticateClient) {
  return new Hono().post(OAUTH_PATHS.bcAuthorize, async (c) => {
    const form = await readForm(c);
    const client = authenticateClient(c, form);
    const p = parseForm(params, form);
    if (p.client_notification_token !== undefined) throw badRequest('only the CIBA poll mode is supported; omit client_notification_token');
    if (p.user_code !== undefined) throw badRequest('user_code is not supported');
    if (p.id_token_hint !== undefined || p.login_hint_token !== undefined) {
      throw badRequest('only login_hint is supported to name the person');
    }
    if (p.login_hint !== undefined && p.login_hint !== ctx.person) {
      throw new OAuthError(400, 'unknown_user_id', `this daemon acts for ${ctx.person} only`);
    }
    if (p.resource === undefined)
      throw new OAuthError(400, 'invalid_target', 'resource is required: name the one API or MCP server the token is for (RFC 8707)');
    const scope = scopeParam(p.scope);
    // One text policy for everything the person reads (shared/src/text.ts): refused here, never escaped later.
    const messageProblem = p.binding_message === undefined ? undefined : textProblem(p.binding_message);
    if (messageProblem !== undefined) throw new OAuthError(400, 'invalid_binding_message', `binding_message ${messageProblem}`);
    const resourceProblem = textProblem(p.resource);
    if (resourceProblem !== undefined) throw new OAuthError(400, 'invalid_target', `resource ${resourceProblem}`);
    let details: z.infer<typeof authorizationDetails> | undefined;
    if (p.authorization_details !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(p.authorization_details);
      } catch {
        throw new OAuthError(400, 'invalid_authorization_details', 'authorization_details is not valid JSON');
      }
      if (nestsDeeperThan(json, MAX_JSON_DEPTH)) {
        throw new OAuthError(400, 'invalid_authorization_details', `authorization_details nests deeper than ${MAX_JSON_DEPTH} levels`);
      }
      const parsed = authorizationDetails.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new OAuthError(
          400,
          'invalid_authorization_details',
          `authorization_details${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`,
        );
      }
      if (JSON.stringify(parsed.data).length > MAX_DETAILS_CHARS) {
        throw new OAuthError(
          400,
          'invalid_authorization_details',
          `authorization_details is larger than ${MAX_DETAILS_CHARS} characters once normalised; tokens carry it, so keep it short`,
        );
      }
      // If it cannot be shown in full, it cannot be approved: refuse what the plain-words model cannot show.
      const unshowable = detailsProblem(parsed.data);
      if (unshowable !== undefined) throw new OAuthError(400, 'invalid_authorization_details', unshowable);
      details = parsed.data;
    }
    const created = grants.createRequest(client, {
      scope,
      resource: p.resource,
      binding_message: p.binding_message,
      requested_expiry: p.requested_expiry,
      authorization_details: details,
    });
    const body: BcAuthorizeResponse = { auth_req_id: created.authReqId, expires_in: created.expiresIn, interval: created.interval };
    return c.json(body);
  });
}
