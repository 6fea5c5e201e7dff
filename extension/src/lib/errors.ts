import { MandateError, UNEXPECTED } from '#shared/errors.js';
import type { Reply, ReplyErrorCode } from '#shared/protocol.js';

/**
 * Every error the extension surfaces: the shared MandateError base with a reply code (shared/src/protocol.ts),
 * so the service worker can send it across messaging as it is and a page can branch on the code.
 * Anything else that reaches a reply or a page is a bug and is said to be one (`publicMessage`, `errorReply`).
 */
export class ExtensionError extends MandateError<ReplyErrorCode> {
  override name = 'ExtensionError';
}

/** Where the detail of an unexpected error is, for the person who reports it. */
export const UNEXPECTED_REPLY = `${UNEXPECTED} (the detail is in the console of Mandate’s service worker).`;

/** The failed reply for a caught value: an ExtensionError's code and public message, or `internal` for a bug. */
export function errorReply(e: unknown): Extract<Reply<never>, { ok: false }> {
  if (e instanceof ExtensionError) return { ok: false, error: { code: e.code, message: e.message } };
  return { ok: false, error: { code: 'internal', message: UNEXPECTED_REPLY } };
}
