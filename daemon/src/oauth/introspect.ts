import { Hono } from 'hono';
import type { AuthenticateClient } from '../http/client-auth.js';
import { parseForm, readForm } from '../http/form.js';
import type { TokenService } from '../tokens/service.js';
import { OAUTH_PATHS } from './metadata.js';
import { tokenParams } from './params.js';

/** RFC 7662 introspection for authenticated agents (own tokens) and resource servers (their audiences). */
export function introspectRoute(tokens: TokenService, authenticateClient: AuthenticateClient) {
  return new Hono().post(OAUTH_PATHS.introspect, async (c) => {
    const form = await readForm(c);
    const caller = authenticateClient(c, form);
    const p = parseForm(tokenParams, form);
    return c.json(await tokens.introspect(caller, p.token));
  });
}
