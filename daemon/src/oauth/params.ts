import * as z from 'zod';
import { parseScope, ScopeSyntaxError } from '#shared/oauth.js';
import { OAuthError } from '../http/errors.js';

/** RFC 7662 §2.1 and RFC 7009 §2.1 share these parameters; the hint is accepted and not needed. */
export const tokenParams = z.lazy(() => z.object({ token: z.string({ error: 'is required' }), token_type_hint: z.string().max(100).optional() }));

/** A `scope` parameter as a list of tokens; bad syntax is `invalid_scope`. */
export function scopeParam(value: string): string[] {
  try {
    return parseScope(value);
  } catch (e) {
    if (e instanceof ScopeSyntaxError) throw new OAuthError(400, 'invalid_scope', e.message);
    throw e;
  }
}
