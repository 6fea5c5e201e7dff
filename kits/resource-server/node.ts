import type { IncomingMessage, ServerResponse } from 'node:http';
import { MandateTokenError, bearerToken } from './errors.js';
import type { Reporter } from './reporter.js';
import type { VerifiedToken, Verifier } from './verifier.js';

export type MandateRequest = IncomingMessage & { mandate?: VerifiedToken };

/** Writes a refusal: status, RFC 6750 challenge, `{error, error_description}`. */
export function sendTokenError(res: ServerResponse, e: MandateTokenError): void {
  res.statusCode = e.status;
  res.setHeader('WWW-Authenticate', e.wwwAuthenticate());
  res.setHeader('Cache-Control', 'no-store');
  const retryAfter = e.retryAfterHeader;
  if (retryAfter !== undefined) res.setHeader('Retry-After', retryAfter);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(e.body()));
}

/**
 * Plain Node / Express middleware `(req, res, next)`: sets `req.mandate` or answers 401/403/503. With a
 * `reporter`, refuses (503 `unavailable`) while its queue is full; with `tool` too, reports each allowed request.
 */
export function mandateMiddleware(o: { verifier: Verifier; scope?: string | readonly string[]; reporter?: Reporter; tool?: string }) {
  if (!o?.verifier) throw new TypeError('mandateMiddleware: verifier is required');
  const challenge = { resourceMetadata: o.verifier.options.resourceMetadata };
  return function mandateNodeMiddleware(req: MandateRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    let token: string;
    try {
      o.reporter?.admit();
      token = bearerToken(req.headers.authorization, challenge);
    } catch (e) {
      sendTokenError(res, e as MandateTokenError);
      return;
    }
    o.verifier.verify(token, o.scope === undefined ? {} : { scope: o.scope }).then(
      (t) => {
        if (o.tool !== undefined && o.reporter) {
          try {
            o.reporter.record({ tool: o.tool, outcome: 'allowed', grantId: t.grantId });
          } catch (e) {
            return e instanceof MandateTokenError ? sendTokenError(res, e) : next(e);
          }
        }
        req.mandate = t;
        next();
      },
      (e: unknown) => (e instanceof MandateTokenError ? sendTokenError(res, e) : next(e)),
    );
  };
}
