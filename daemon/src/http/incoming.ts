import { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

/** The Node request behind a Hono context, when the daemon serves over node:http (absent under `app.request`). */
export function incomingOf(c: Context): IncomingMessage | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  return env.incoming instanceof IncomingMessage ? env.incoming : undefined;
}

/** The Node response behind a Hono context, when the daemon serves over node:http (absent under `app.request`). */
export function outgoingOf(c: Context): ServerResponse | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('outgoing' in env)) return undefined;
  return env.outgoing instanceof ServerResponse ? env.outgoing : undefined;
}

/**
 * Sets a header on every answer to this request. Over node:http it goes on the Node response, which merges it into
 * whatever the route answers (a route's own header of that name wins, as with `c.header`): a `c.header` before the
 * route runs makes Hono build a web `Headers` for the answer, which @hono/node-server then converts back, where an
 * answer with plain headers is written as it is.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = outgoingOf(c);
  if (outgoing === undefined) c.header(name, value);
  else outgoing.setHeader(name, value);
}

/**
 * One request header, as `c.req.header(name)` gives it (every field of that name, joined with ", "), read from
 * the Node request's raw header list. Asking Hono for any header makes @hono/node-server build a web `Headers`
 * for the whole request; the guards that run on every request (Host, Origin) read their one field here instead.
 * `name` is lower case.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = incomingOf(c);
  if (incoming === undefined) return c.req.header(name);
  const raw = incoming.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i]!;
    if (field.length === name.length && field.toLowerCase() === name) value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}
