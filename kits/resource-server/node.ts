import type { IncomingMessage, ServerResponse } from 'node:http';
import { MandateTokenError, bearerToken } from './errors.js';
import type { VerifiedToken, Verifier } from './verifier.js';

export type MandateRequest = IncomingMessage & { mandate?: VerifiedToken };

/** Writes a refusal: status, RFC 6750 challenge, `{error, error_description}`. */
export function sendTokenError(res: ServerResponse, e: MandateTokenError): void {
  res.statusCode = e.status;
  res.setHeader('WWW-Authenticate', e.wwwAuthenticate());
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(e.body()));
}

/** Plain Node / Express middleware `(req, res, next)`: sets `req.mandate` or answers 401/403/503. */
export function mandateMiddleware(o: { verifier: Verifier; scope?: string | readonly string[] }) {
  if (!o?.verifier) throw new TypeError('mandateMiddleware: verifier is required');
  const challenge = { resourceMetadata: o.verifier.options.resourceMetadata };
  return function mandateNodeMiddleware(req: MandateRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    let token: string;
    try {
      token = bearerToken(req.headers.authorization, challenge);
    } catch (e) {
      sendTokenError(res, e as MandateTokenError);
      return;
    }
    o.verifier.verify(token, o.scope === undefined ? {} : { scope: o.scope }).then(
      (t) => {
        req.mandate = t;
        next();
      },
      (e: unknown) => (e instanceof MandateTokenError ? sendTokenError(res, e) : next(e)),
    );
  };
}
