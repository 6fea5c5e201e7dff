import { Hono } from 'hono';
import { z } from 'zod';
import type { AuthenticateClient } from '../http/client-auth.js';
import { parseForm, readForm } from '../http/form.js';
import type { TokenService } from '../tokens/service.js';
import { OAUTH_PATHS } from './metadata.js';

const params = z.object({ token: z.string({ error: 'is required' }), token_type_hint: z.string().max(100).optional() });

/** RFC 7662 introspection for authenticated agents (own tokens) and resource servers (their audiences). */
export function introspectRoute(tokens: TokenService, authenticateClient: AuthenticateClient) {
  return new Hono().post(OAUTH_PATHS.introspect, async (c) => {
    const form = await readForm(c);
    const caller = authenticateClient(c, form);
    const p = parseForm(params, form);
    return c.json(await tokens.introspect(caller, p.token));
  });
}
