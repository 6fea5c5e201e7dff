import { Hono, type Context } from 'hono';
import { resourceUri } from '#shared/oauth.js';
import { textProblem } from '#shared/text.js';
import type { McpClients } from '../clients/mcp-clients.js';
import { registeredResources } from '../clients/mcp-clients.js';
import type { DaemonContext } from '../context.js';
import { randomSecret, sha256 } from '../crypto.js';
import type { GrantService } from '../grants/service.js';
import { OAuthError, errorResponse } from '../http/errors.js';
import { requestHeader } from '../http/incoming.js';
import { authorizationRepo } from '../store/authorization.repo.js';
import { OAUTH_PATHS, issuerFor } from './metadata.js';
import { page } from './pages.js';
import { scopeParam } from './params.js';
import { redirectMatches, withParams } from './redirect.js';

/** Single-use codes live this long (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const CODE_LIFETIME_SECONDS = 60;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** An error that may not be redirected (client or redirect_uri not validated): shown in the tab, or JSON for programs. */
function direct(c: Context, err: OAuthError): Response {
  if ((requestHeader(c, 'accept') ?? '').includes('text/html')) {
    return page(c, err.status === 404 ? 404 : 400, 'This sign-in request was refused', [err.description, `(${err.code})`]);
  }
  return errorResponse(c, err);
}

/**
 * OAuth 2.1 authorization endpoint (code + PKCE S256) for MCP clients. A valid request becomes a pending
 * request exactly like a CIBA one; the tab then waits on /authorize/wait until the person decides in the
 * extension or with `mandate approve`, and goes back to the client with a code (or access_denied).
 */
export function authorizeRoutes(ctx: DaemonContext, grants: GrantService, clients: McpClients) {
  const repo = authorizationRepo(ctx.db);

  return new Hono()
    .get(OAUTH_PATHS.authorize, async (c) => {
      const all = new URL(c.req.url).searchParams;
      const q = new Map<string, string>();
      for (const [k, v] of all) {
        if (q.has(k)) return direct(c, new OAuthError(400, 'invalid_request', `parameter "${k.slice(0, 50)}" is included more than once`));
        if (v !== '') q.set(k, v);
      }
      const clientId = q.get('client_id');
      if (clientId === undefined) return direct(c, new OAuthError(400, 'invalid_request', 'client_id is required'));
      let mc: Awaited<ReturnType<McpClients['resolve']>>;
      try {
        mc = await clients.resolve(clientId);
      } catch (e) {
        if (e instanceof OAuthError) return direct(c, e);
        throw e;
      }
      const registered = mc.registration.redirect_uris;
      const redirectUri = q.get('redirect_uri') ?? (registered.length === 1 ? registered[0] : undefined);
      if (redirectUri === undefined) return direct(c, new OAuthError(400, 'invalid_request', 'redirect_uri is required: this client registered several'));
      if (!redirectMatches(registered, redirectUri)) {
        return direct(c, new OAuthError(400, 'invalid_request', 'redirect_uri does not match any redirect URI registered for this client'));
      }

      // From here on, refusals go back to the validated redirect URI (RFC 6749 §4.1.2.1).
      const issuer = issuerFor(ctx, c);
      const state = q.get('state');
      const back = (code: string, description: string) =>
        c.redirect(withParams(redirectUri, { error: code, error_description: description, state, iss: issuer }), 303);
      if (state !== undefined && state.length > 1000) return back('invalid_request', 'state is longer than 1000 characters');
      if (q.get('response_type') !== 'code') return back('unsupported_response_type', 'response_type must be code');
      const challenge = q.get('code_challenge');
      if (challenge === undefined) return back('invalid_request', 'code_challenge is required (PKCE with S256)');
      if (q.get('code_challenge_method') !== 'S256') return back('invalid_request', 'code_challenge_method must be S256; plain is not accepted');
      if (!S256_CHALLENGE.test(challenge)) return back('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)');
      if (q.has('request') || q.has('request_uri')) return back('invalid_request', 'request objects are not supported; send the parameters as they are');
      const resource = q.get('resource');
      if (resource === undefined) return back('invalid_target', 'resource is required: the MCP server the token is for (RFC 8707)');
      if (!resourceUri.safeParse(resource).success || textProblem(resource) !== undefined) return back('invalid_target', 'resource is not a valid URI');
      const resources = registeredResources(ctx);
      const rsScopes = resources.get(resource);
      if (rsScopes === undefined) return back('invalid_target', 'resource is not registered with Mandate (`mandate agents add --kind resource_server`)');
      const scopeText = q.get('scope') ?? (rsScopes.length > 0 ? rsScopes.join(' ') : undefined);
      if (scopeText === undefined) return back('invalid_scope', 'scope is required');
      let scope: string[];
      try {
        scope = scopeParam(scopeText);
      } catch (e) {
        if (e instanceof OAuthError) return back(e.code, e.description);
        throw e;
      }

      // The ceiling of a client nobody added by hand: the registered resources, and the scopes its resource server lists (if any).
      const effective = { ...mc.client, resources: [...resources.keys()], scopes: rsScopes.length > 0 ? [...rsScopes] : scope };
      const now = ctx.clock();
      const held = ctx.grants.heldScope(mc.client.client_id, resource, now);
      const added = scope.filter((s) => !held.includes(s));
      const host = new URL(redirectUri).host || new URL(redirectUri).protocol;
      const message =
        held.length > 0
          ? `More access for a connected app: already granted ${held.join(' ')}; adds ${added.length > 0 ? added.join(' ') : 'nothing new'}. Returns to ${host}.`
          : `Sign-in from an app that connects to ${new URL(resource).host}. Returns to ${host}.`;
      const handle = randomSecret('aw_');
      let grantId: string;
      try {
        grantId = grants.createRequest(effective, { scope, resource, binding_message: message.slice(0, 500) }, (g) =>
          repo.insertRequest({ grant_id: g.id, wait_hash: sha256(handle), redirect_uri: redirectUri, state: state ?? null, code_challenge: challenge, issuer }),
        ).grant.id;
      } catch (e) {
        if (e instanceof OAuthError) return back(e.code, e.description);
        throw e;
      }
      clients.touch(mc.client.client_id);
      // `grant` is not a secret (the page shows it); it lets the paired extension open its card in this tab.
      return c.redirect(`${issuer}${OAUTH_PATHS.authorizeWait}?request=${encodeURIComponent(handle)}&grant=${encodeURIComponent(grantId)}`, 303);
    })
    .get(OAUTH_PATHS.authorizeWait, (c) => {
      const handle = c.req.query('request');
      const req = handle === undefined || handle.length > 100 ? undefined : repo.requestByWait(sha256(handle));
      if (!req) return page(c, 404, 'No such sign-in request', ['This link is not a sign-in request Mandate knows. Start again from your app.']);
      if (req.answered_at !== null) return page(c, 200, 'This sign-in is finished', ['You can close this tab.']);
      let g = ctx.grants.get(req.grant_id)!;
      const now = ctx.clock();
      if (g.status === 'pending' && g.request_expires_at <= now) {
        grants.expireDue();
        g = ctx.grants.get(req.grant_id)!;
      }
      if (g.status === 'pending') {
        return page(
          c,
          200,
          'Waiting for your decision in Mandate',
          [
            `${g.agent_name} asks for ${g.requested_scope.join(' ')} on ${g.resource}.`,
            'Approve or deny it in the Mandate extension, or in a terminal:',
            `mandate approve ${g.id}`,
            `mandate deny ${g.id}`,
            'This page moves on by itself once you decide.',
          ],
          2,
        );
      }
      const respond = ctx.tx.transact(() => {
        if (!repo.answer(g.id, now)) return undefined;
        if (g.status !== 'approved' || g.expires_at === null || g.expires_at <= now) return { error: 'access_denied' };
        const code = randomSecret('mac_');
        repo.insertCode({
          code_hash: sha256(code),
          grant_id: g.id,
          client_id: g.client_id,
          redirect_uri: req.redirect_uri,
          code_challenge: req.code_challenge,
          resource: g.resource,
          expires_at: now + CODE_LIFETIME_SECONDS,
        });
        return { code };
      });
      if (respond === undefined) return page(c, 200, 'This sign-in is finished', ['You can close this tab.']);
      const params =
        'code' in respond
          ? { code: respond.code, state: req.state, iss: req.issuer }
          : { error: 'access_denied', error_description: `the request was ${g.status}`, state: req.state, iss: req.issuer };
      return c.redirect(withParams(req.redirect_uri, params), 303);
    });
}
