import { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

/** The Node request behind a request's env, when the daemon serves over node:http (absent under `app.request`). */
export function nodeRequestOf(env: unknown): IncomingMessage | undefined {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  return env.incoming instanceof IncomingMessage ? env.incoming : undefined;
}

/** The Node response behind a request's env, when the daemon serves over node:http (absent under `app.request`). */
export function nodeResponseOf(env: unknown): ServerResponse | undefined {
  if (typeof env !== 'object' || env === null || !('outgoing' in env)) return undefined;
  return env.outgoing instanceof ServerResponse ? env.outgoing : undefined;
}

/** The Node request behind a Hono context (see `nodeRequestOf`). */
export const incomingOf = (c: Context): IncomingMessage | undefined => nodeRequestOf(c.env);

/**
 * One request header, as `Headers.get(name)` gives it (every field of that name, joined with ", "). Over node:http
 * it is read from the Node request's raw header list: asking the web `Request` for any header makes
 * @hono/node-server build a `Headers` for the whole request. `name` is lower case.
 */
export function headerOf(request: Request, env: unknown, name: string): string | undefined {
  const incoming = nodeRequestOf(env);
  if (incoming === undefined) return request.headers.get(name) ?? undefined;
  const raw = incoming.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i]!;
    if (field.length === name.length && field.toLowerCase() === name) value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}

/** `headerOf` for a route: one request header, without building a web `Headers`. */
export const requestHeader = (c: Context, name: string): string | undefined => headerOf(c.req.raw, c.env, name);
