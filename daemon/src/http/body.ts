import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { OAuthError, refusal } from './errors.js';
import { headerOf, incomingOf } from './incoming.js';

/** Largest request body accepted anywhere; OAuth forms and admin JSON are far smaller. */
export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = () => new OAuthError(413, 'invalid_request', `request body is larger than ${MAX_BODY_BYTES} bytes`);

/**
 * The body limit, before any route runs: a declared Content-Length over the limit (or not a plain number) is refused
 * from the header alone, without reading a byte of the body; Node's parser holds a body to the length it declares.
 * A body without one (chunked) is counted as it is read (`readText`, the one way routes read bodies).
 */
export function refuseDeclaredTooLarge(request: Request, env: unknown): Response | undefined {
  const method = request.method;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  const length = headerOf(request, env, 'content-length');
  if (length === undefined || headerOf(request, env, 'transfer-encoding') !== undefined) return undefined;
  return /^\d{1,9}$/.test(length) && Number(length) <= MAX_BODY_BYTES ? undefined : refusal(tooLarge());
}

/** Reads a web body stream (the `app.request` path) to the end as UTF-8 text, refusing it (413) as soon as it passes the limit. */
async function readCounted(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    parts.push(chunk);
  }
  return parts.length === 1
    ? Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.length).toString('utf8')
    : Buffer.concat(parts, size).toString('utf8');
}

/**
 * A Node request's body to the end as UTF-8 text, refusing it (413) as soon as it passes the limit. It listens for
 * 'data' and 'end' rather than iterating the stream: an async iterator over a Node stream makes several promises
 * and closures per request (about 3.5 KB of an introspection's 24 KB of garbage, bench/README.md). Past the limit the
 * stream is paused and left to the server, which drains what is left within its own bounds or closes the socket.
 */
function readIncoming(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const settle = (error?: Error) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', settle);
      incoming.off('close', onClose);
      if (error !== undefined) reject(error);
      else resolve(parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts, size).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        parts.push(chunk);
        return;
      }
      incoming.pause();
      settle(tooLarge());
    };
    const onEnd = () => settle();
    const onClose = () => settle(new Error('the client closed the connection before the request body ended'));
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', settle);
    incoming.once('close', onClose);
  });
}

/**
 * The request body as text, within the limit. Over node:http it is read straight from the socket's stream (the web
 * `Request` path costs more than the rest of an introspection); otherwise (`app.request`) from the web body stream.
 */
export async function readText(c: Context): Promise<string> {
  const incoming = incomingOf(c);
  if (incoming !== undefined && !incoming.readableDidRead) return readIncoming(incoming);
  const body = c.req.raw.body;
  return body === null ? '' : readCounted(body);
}
