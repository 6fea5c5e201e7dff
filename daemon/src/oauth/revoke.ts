import { Hono } from 'hono';
import type { AuthenticateClient } from '../http/client-auth.js';
import { parseForm, readForm } from '../http/form.js';
import type { TokenService } from '../tokens/service.js';
import { OAUTH_PATHS } from './metadata.js';
import { tokenParams } from './params.js';

/** RFC 7009: 200 with an empty body whether or not the token was known. */
export function revokeRoute(tokens: TokenService, authenticateClient: AuthenticateClient) {
  return new Hono().post(OAUTH_PATHS.revoke, async (c) => {
    const form = await readForm(c);
    const client = authenticateClient(c, form);
    const p = parseForm(tokenParams, form);
    await tokens.revokeToken(client, p.token);
    return c.body(null, 200);
  });
}
