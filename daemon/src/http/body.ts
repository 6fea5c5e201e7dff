import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { OAuthError } from './errors.js';
import { incomingOf } from './incoming.js';

/** Largest request body accepted anywhere; OAuth forms and admin JSON are far smaller. */
export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = () => new OAuthError(413, 'invalid_request', `request body is larger than ${MAX_BODY_BYTES} bytes`);

/**
 * The body limit for every route. A declared Content-Length is checked from the header alone (Node's parser
 * holds the body to exactly that length), which keeps the common case from building a web `Request`; a body
 * without one (chunked) is counted as it arrives by Hono's own limiter.
 */
export function limitBody(): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => Promise.reject(tooLarge()) });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (!/^\d{1,9}$/.test(length) || Number(length) > MAX_BODY_BYTES) throw tooLarge();
      return next();
    }
    return streamed(c, next);
  };
}

/**
 * The request body as text. Over node:http it is read straight from the socket's stream (the web `Request`
 * path costs more than the rest of an introspection); the limit holds on both paths.
 */
export async function readText(c: Context): Promise<string> {
  const incoming = incomingOf(c);
  if (incoming === undefined || incoming.readableEnded || incoming.readableDidRead) return c.req.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(b);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
}
