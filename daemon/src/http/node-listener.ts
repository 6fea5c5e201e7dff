import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OAuthErrorBody } from '#shared/errors.js';
import { badRequest, internalError, type OAuthError } from './errors.js';
import { SECURITY_HEADERS } from './guard.js';
import { installLazyResponse, LazyResponse, type ResponseParts } from './lazy-response.js';
import { NodeRequest } from './node-request.js';

/** What the app's `fetch` gets beside the request: the Node request and response (incoming.ts reads them). */
export interface NodeEnv {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

export type NodeFetch = (request: Request, env: NodeEnv) => Response | Promise<Response>;

/** A request the listener answers itself, before the app: a Host or request target it cannot make a URL of. */
class MalformedRequest extends Error {}

/** A path of only the characters a URL keeps as they are, so `http://host` + it is already the URL's href. */
const PLAIN_PATH = /^\/[!#$&-;=?-[\]_a-z~]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The one Host field of a request (RFC 9112 §3.2: none, several, or a malformed one is a 400). */
function hostOf(incoming: IncomingMessage): string {
  const raw = incoming.rawHeaders;
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
    if (host !== undefined) throw new MalformedRequest('the request has more than one Host header');
    host = raw[i + 1]!;
  }
  if (host === undefined) throw new MalformedRequest('the request has no Host header');
  if (!HOST.test(host)) throw new MalformedRequest('the Host header is not a host name or address with an optional port');
  return host;
}

/**
 * The request's URL from its Host and target. An origin-form target (`/path?query`) of plain characters is used as
 * it is; any other is normalised by WHATWG URL parsing (dot segments resolved), as a web `Request` would have it. An
 * absolute-form target must name the same authority as the Host field; a backslash in the path is refused, since
 * URL parsing would read it as a slash.
 */
export function requestUrl(incoming: IncomingMessage): string {
  const host = hostOf(incoming);
  const target = incoming.url ?? '';
  if (target.startsWith('/')) {
    if (PLAIN_PATH.test(target) && !DOT_SEGMENT.test(target)) return `http://${host}${target}`;
    const query = target.indexOf('?');
    const backslash = target.indexOf('\\');
    if (backslash !== -1 && (query === -1 || backslash < query)) throw new MalformedRequest('the request path contains a backslash');
    return parsedHref(`http://${host}${target}`);
  }
  if (/^http:\/\//i.test(target)) {
    const href = parsedHref(target);
    if (new URL(href).host !== new URL(`http://${host}`).host)
      throw new MalformedRequest('the absolute request target names another host than the Host header');
    return href;
  }
  throw new MalformedRequest('the request target is not a path');
}

function parsedHref(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    throw new MalformedRequest('the request target is not a valid URL');
  }
}

/** The listener's own refusal or failure, rendered as errors.ts renders the app's, with the guard's headers. */
function answerError(outgoing: ServerResponse, err: OAuthError): void {
  for (const name of outgoing.getHeaderNames()) outgoing.removeHeader(name); // none of a failed answer's headers
  outgoing.statusCode = err.status;
  for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
  outgoing.setHeader('content-type', 'application/json');
  const body: OAuthErrorBody = { error: err.code, error_description: err.description };
  outgoing.end(JSON.stringify(body)); // headers are written with the body, so Node adds its Content-Length
}

/** Sets every field of a web header list on the Node response, fields of one name together (Set-Cookie stays a list). */
function setHeaders(outgoing: ServerResponse, headers: ResponseParts['headers']): void {
  if (headers === undefined) return;
  if (!Array.isArray(headers) && !(Symbol.iterator in headers)) {
    for (const name in headers) outgoing.setHeader(name, headers[name]!);
    return;
  }
  const fields = new Map<string, string[]>();
  for (const [name, value] of headers as Iterable<[string, string]>) {
    const key = name.toLowerCase();
    const values = fields.get(key);
    if (values === undefined) fields.set(key, [value]);
    else values.push(value);
  }
  for (const [name, values] of fields) outgoing.setHeader(name, values.length === 1 ? values[0]! : values);
}

function isStream(body: unknown): body is ReadableStream<Uint8Array | string> {
  return typeof body === 'object' && body !== null && typeof (body as ReadableStream).getReader === 'function';
}

/** Writes a web body stream to the Node response as it comes, waiting for 'drain'; a closed connection cancels it. */
function pipe(body: ReadableStream<Uint8Array | string>, outgoing: ServerResponse, onError: (e: unknown) => void): void {
  const reader = body.getReader();
  const cancel = () => {
    reader.cancel().catch(() => {});
  };
  outgoing.once('close', cancel);
  outgoing.flushHeaders();
  const next = (): void => {
    reader.read().then(
      ({ done, value }) => {
        if (outgoing.destroyed)
          cancel(); // the client left
        else if (done) {
          outgoing.off('close', cancel);
          outgoing.end();
        } else if (outgoing.write(value)) next();
        else outgoing.once('drain', next);
      },
      (e: unknown) => {
        onError(e);
        outgoing.destroy();
      },
    );
  };
  next();
}

/**
 * Writes the app's answer. A `LazyResponse` is written from its parts: a string or bytes in one `end` (Node adds the
 * Content-Length), a stream piped; anything else is written from the `Response` interface (status, headers, body
 * stream). Headers the guard put on the Node response stay unless the answer has its own of the same name.
 */
function write(response: Response, outgoing: ServerResponse, onError: (e: unknown) => void): void {
  const { status, statusText, headers, body }: ResponseParts = LazyResponse.is(response)
    ? response.parts
    : { status: response.status, statusText: response.statusText, headers: response.headers, body: response.body };
  setHeaders(outgoing, headers);
  outgoing.statusCode = status;
  if (statusText !== '') outgoing.statusMessage = statusText;
  if (body === null) outgoing.end();
  else if (typeof body === 'string') {
    if (!outgoing.hasHeader('content-type')) outgoing.setHeader('content-type', 'text/plain;charset=UTF-8'); // as Node's Response sets it
    outgoing.end(body);
  } else if (body instanceof Uint8Array) outgoing.end(body);
  else if (body instanceof ArrayBuffer) outgoing.end(Buffer.from(body));
  else if (isStream(body)) pipe(body, outgoing, onError);
  else pipe(response.body!, outgoing, onError); // a Blob, FormData, ...: streamed as Node's Response makes it
}

function fail(outgoing: ServerResponse, e: unknown, onError: (e: unknown) => void): void {
  onError(e);
  if (outgoing.headersSent) outgoing.destroy();
  else answerError(outgoing, internalError());
}

/**
 * A node:http request listener serving a web `fetch` (a Hono app's), without loading Node's fetch implementation
 * for requests and answers that need nothing of it (lazy-response.ts, node-request.ts). It takes the place of
 * @hono/node-server's `getRequestListener`, whose import alone loads it. `onError` gets what the app threw or a
 * body stream failed with; the client gets a 500 if nothing was sent yet, or a closed connection.
 */
export function requestListener(fetch: NodeFetch, onError: (e: unknown) => void): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  installLazyResponse();
  return (incoming, outgoing) => {
    let url: string;
    try {
      url = requestUrl(incoming);
    } catch (e) {
      const description = e instanceof MalformedRequest ? e.message : 'the request target or Host header is not valid';
      answerError(outgoing, badRequest(description));
      return;
    }
    let answer: Response | Promise<Response>;
    try {
      answer = fetch(new NodeRequest(incoming, outgoing, url), { incoming, outgoing });
    } catch (e) {
      fail(outgoing, e, onError);
      return;
    }
    const written = (response: Response) => {
      try {
        write(response, outgoing, onError);
      } catch (e) {
        fail(outgoing, e, onError); // a header value Node refuses, say
      }
    };
    if (answer instanceof Promise) answer.then(written, (e: unknown) => fail(outgoing, e, onError));
    else written(answer);
  };
}
