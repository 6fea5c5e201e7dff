import type { Context } from 'hono';
import type * as z from 'zod';
import { idParam } from '#shared/admin-api.js';
import { readText } from './body.js';
import { badRequest } from './errors.js';
import { requestHeader } from './incoming.js';

/** Describes the first schema issue in words a person can act on. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.join('.');
  return field ? `${field}: ${issue.message}` : issue.message;
}

/**
 * Admin state changes take JSON only: the content type forces a CORS preflight in browsers, so a web page
 * cannot send one blind. An empty body counts as `{}`.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = (requestHeader(c, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw badRequest('body must be application/json');
  const text = await readText(c);
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw badRequest('body is not valid JSON');
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(describeIssue(result.error));
  return result.data;
}

/** A route's query string parsed with its schema; any problem is a 400 naming it. */
export function readQuery<S extends z.ZodType>(schema: S, values: Record<string, string>): z.infer<S> {
  const r = schema.safeParse(values);
  if (!r.success) throw badRequest(describeIssue(r.error));
  return r.data;
}

/** A record id from the path (`:id`). */
export function readId(value: string): string {
  const r = idParam.safeParse(value);
  if (!r.success) throw badRequest('id is not valid');
  return r.data;
}
