import { Hono } from 'hono';
import { z } from 'zod';
import type { AuthenticateClient } from '../http/client-auth.js';
import { parseForm, readForm } from '../http/form.js';
import type { TokenService } from '../tokens/service.js';
import { OAUTH_PATHS } from './metadata.js';

const params = z.object({ token: z.string({ error: 'is required' }), token_type_hint: z.string().max(100).optional() });

/** RFC 7009: 200 with an empty body whether or not the token was known. */
export function revokeRoute(tokens: TokenService, authenticateClient: AuthenticateClient) {
  return new Hono().post(OAUTH_PATHS.revoke, async (c) => {
    const form = await readForm(c);
    const client = authenticateClient(c, form);
    const p = parseForm(params, form);
    await tokens.revokeToken(client, p.token);
    return c.body(null, 200);
  });
}
