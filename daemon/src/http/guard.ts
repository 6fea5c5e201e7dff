import type { ExecutionContext } from 'hono';
import { refuseDeclaredTooLarge } from './body.js';
import { nodeResponseOf } from './incoming.js';
import { refuseUnlessLocal } from './local-only.js';

/** The shape of a Hono app's `fetch`. */
type Fetch = (request: Request, env?: unknown, executionCtx?: ExecutionContext) => Response | Promise<Response>;

/** On every answer the daemon gives, refusals included; a route's own header of the same name wins. */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Cache-Control', 'no-store'],
  ['X-Content-Type-Options', 'nosniff'],
];

/** `response` with the security headers it does not set itself (the `app.request` path, which has no Node response). */
function withSecurityHeaders(response: Response): Response {
  const missing = SECURITY_HEADERS.filter(([name]) => !response.headers.has(name));
  if (missing.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of missing) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * What every request passes before any route: the local-only guard (Host, Origin), then the body limit of a declared
 * Content-Length, and the two security headers on every answer. It wraps the app's `fetch` rather than being a Hono
 * middleware: a middleware in front of every route makes Hono compose a handler chain per request, which was 10 of
 * a metadata request's 35 µs of CPU (bench/README.md). Over node:http the headers go on Node's response before the
 * app runs, and are merged into whatever it answers.
 */
export function guarded(fetch: Fetch, port: () => number): Fetch {
  const refuseNonLocal = refuseUnlessLocal(port);
  return (request, env, executionCtx) => {
    const outgoing = nodeResponseOf(env);
    if (outgoing === undefined) {
      const refused = refuseNonLocal(request, env) ?? refuseDeclaredTooLarge(request, env);
      return refused ? withSecurityHeaders(refused) : Promise.resolve(fetch(request, env, executionCtx)).then(withSecurityHeaders);
    }
    for (const [name, value] of SECURITY_HEADERS) outgoing.setHeader(name, value);
    return refuseNonLocal(request, env) ?? refuseDeclaredTooLarge(request, env) ?? fetch(request, env, executionCtx);
  };
}
