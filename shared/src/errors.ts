/**
 * Error codes carried in `{error, error_description}` bodies by every daemon endpoint.
 * The OAuth ones are the registered wire names (RFC 6749, 6750, 7009, 8693, 8707, 9396, 9449, OpenID CIBA);
 * `not_found` and `conflict` are used only by the admin API, in the same shape.
 */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_token_type',
  'invalid_scope',
  'invalid_target',
  'invalid_authorization_details',
  'invalid_binding_message',
  'unknown_user_id',
  'access_denied',
  'authorization_pending',
  'slow_down',
  'expired_token',
  'invalid_token',
  'invalid_dpop_proof',
  'unsupported_response_type',
  'invalid_redirect_uri',
  'invalid_client_metadata',
  'temporarily_unavailable',
  'server_error',
  'not_found',
  'conflict',
] as const;

export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description?: string;
}

/**
 * Every failure outside HTTP that a person may see (CLI, daemon start-up, extension replies) is a MandateError:
 * a closed code, a public message, and a detail for logs only. The CLI's codes (below) also carry the exit code
 * it ends with; the extension's errors use the reply codes of shared/src/protocol.ts (`ReplyErrorCode`).
 * Anything else that reaches the top (a TypeError, a RangeError) is a bug and is reported as one (`UNEXPECTED`).
 */
export const MANDATE_ERROR_EXIT = {
  /** The command was called wrongly: unknown flag, missing or malformed value. */
  usage: 2,
  /** Nothing answers at the daemon's address. */
  daemon_unreachable: 1,
  /** The daemon answered with a refusal (`oauth` carries its `{error, error_description}`). */
  daemon_refused: 1,
  /** The daemon answered something the contract does not allow. */
  bad_response: 1,
  /** No CLI credential in the data directory. */
  no_credential: 1,
  /** The daemon could not start (port, data directory, audit key, export settings). */
  start_failed: 1,
  /** The organisation's policy file exists but cannot be used. */
  policy_invalid: 1,
  /** The database was written by a newer Mandate. */
  database_newer: 1,
  /** Another program has the database open, so the daemon cannot hold it alone. */
  database_in_use: 1,
} as const;
export type MandateErrorCode = keyof typeof MANDATE_ERROR_EXIT;

const EXIT_CODES: Readonly<Record<string, number>> = MANDATE_ERROR_EXIT;

/** The one error base. `C` is the closed code union of the side that throws it (CLI codes by default). */
export class MandateError<C extends string = MandateErrorCode> extends Error {
  override name = 'MandateError';
  constructor(
    readonly code: C,
    /** Safe to show to the person: says what happened and what to do. */
    message: string,
    /** For logs only (internal messages, stack of the cause); never shown in a UI or sent over HTTP. */
    readonly detail?: string,
  ) {
    super(message);
  }
  /** The CLI's exit code: the table's for a CLI code, 1 for any other (exit codes mean nothing outside the CLI). */
  get exitCode(): number {
    return EXIT_CODES[this.code] ?? 1;
  }
}

/** What a person is told when something that is not a MandateError reaches them: a bug, said plainly. */
export const UNEXPECTED = 'Something unexpected went wrong in Mandate; please report it';

/** The text to show a person for any caught value: a MandateError's public message, or UNEXPECTED with the error's own words. */
export function publicMessage(e: unknown): string {
  if (e instanceof MandateError) return e.message;
  const said = e instanceof Error ? e.message : String(e);
  return said ? `${UNEXPECTED} (${said}).` : `${UNEXPECTED}.`;
}
