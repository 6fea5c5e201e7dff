import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { OAuthErrorBody, OAuthErrorCode } from '#shared/errors.js';

/** A refusal with a standard error code. Thrown anywhere in a handler; rendered as `{error, error_description}`. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
    /** For the daemon log only (e.g. jose's message); never sent: `error_description` is the public text. */
    readonly detail?: string,
  ) {
    super(`${code}: ${description}`);
  }
}

export const badRequest = (description: string) => new OAuthError(400, 'invalid_request', description);

/** What a client is told of a failure that is not its request's: the detail goes to the daemon log. */
export const internalError = () => new OAuthError(500, 'server_error', 'internal error; see the daemon log');

/** The same answer as `errorResponse`, for the guard in front of the app, which has no Hono context. */
export function refusal(err: OAuthError): Response {
  const body: OAuthErrorBody = { error: err.code, error_description: err.description };
  return new Response(JSON.stringify(body), { status: err.status, headers: { ...err.headers, 'content-type': 'application/json' } });
}

export function errorResponse(c: Context, err: OAuthError): Response {
  const body: OAuthErrorBody = { error: err.code, error_description: err.description };
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  return c.json(body, err.status);
}

/** The app's onError: standard errors as they are, Hono's own (body limit, bad JSON) mapped, the rest a logged 500. */
export function onError(log: (msg: string) => void) {
  return (err: Error, c: Context): Response => {
    if (err instanceof OAuthError) {
      if (err.detail !== undefined) log(`${err.code} on ${c.req.method} ${c.req.path}: ${err.description} (error_detail: ${err.detail})`);
      return errorResponse(c, err);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code: OAuthErrorCode = status === 404 ? 'not_found' : 'invalid_request';
      return errorResponse(c, new OAuthError(status, code, err.message || 'request could not be processed'));
    }
    log(`internal error on ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return errorResponse(c, internalError());
  };
}
