import type { Context } from 'hono';
import type * as z from 'zod';
import { readText } from './body.js';
import { OAuthError, badRequest } from './errors.js';
import { requestHeader } from './incoming.js';

/**
 * Reads an `application/x-www-form-urlencoded` body as OAuth requires: any other content type is refused,
 * a parameter sent twice is refused (RFC 6749 §3.1), and an empty value counts as omitted.
 */
export async function readForm(c: Context): Promise<Map<string, string>> {
  const type = (requestHeader(c, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw badRequest('body must be application/x-www-form-urlencoded');
  }
  const params = new URLSearchParams(await readText(c));
  const form = new Map<string, string>();
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (seen.has(key)) throw badRequest(`parameter "${key.slice(0, 50)}" is included more than once`);
    seen.add(key);
    if (value !== '') form.set(key, value);
  }
  return form;
}

/** Validates the recognised parameters of a form with a zod schema; unrecognised ones are ignored as OAuth requires. */
export function parseForm<S extends z.ZodType>(schema: S, form: Map<string, string>): z.infer<S> {
  const result = schema.safeParse(Object.fromEntries(form));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || 'request';
  // form values are always strings, so a type error means the parameter is missing: invalid_request
  // a malformed resource indicator is invalid_target (RFC 8707 §2); a missing one is handled by the endpoint
  const code =
    issue.code === 'invalid_type'
      ? 'invalid_request'
      : issue.path[0] === 'scope'
        ? 'invalid_scope'
        : issue.path[0] === 'resource'
          ? 'invalid_target'
          : 'invalid_request';
  throw new OAuthError(400, code, `${field}: ${issue.message}`);
}
