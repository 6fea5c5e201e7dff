/** Why a token was refused. `revoked`: its grant ended; `unavailable`: the live revocation state cannot be vouched for. */
export type MandateTokenErrorCode = 'invalid_token' | 'insufficient_scope' | 'revoked' | 'unavailable';

export interface ChallengeParams {
  /** The scope this request needs (RFC 6750 `scope`, what a client asks for at step-up). */
  scope?: string | undefined;
  /** URL of this resource's RFC 9728 metadata (`resource_metadata`). */
  resourceMetadata?: string | undefined;
}

const quoted = (v: string): string => `"${v.replace(/[\\"]/g, (ch) => `\\${ch}`).replace(/[^\x20-\x7e]/g, '?')}"`;

/** The one error the kit throws for a refused token; `code` is stable, `status` and `wwwAuthenticate()` are what goes on the wire. */
export class MandateTokenError extends Error {
  override name = 'MandateTokenError';
  /** Seconds to put in `Retry-After` with an `unavailable` (503) answer (default 1). */
  retryAfter: number | undefined;
  constructor(
    readonly code: MandateTokenErrorCode,
    message: string,
    readonly challenge: ChallengeParams = {},
  ) {
    super(message);
  }

  /** 401 for a bad or revoked token, 403 for a missing scope, 503 when revocation state is unknown. */
  get status(): 401 | 403 | 503 {
    return this.code === 'insufficient_scope' ? 403 : this.code === 'unavailable' ? 503 : 401;
  }

  /** The RFC 6750 error code on the wire (`revoked` is an `invalid_token`; `unavailable` is not a token error). */
  get wireError(): 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable' {
    return this.code === 'insufficient_scope' ? 'insufficient_scope' : this.code === 'unavailable' ? 'temporarily_unavailable' : 'invalid_token';
  }

  /** The RFC 6750 §3 `WWW-Authenticate` value, with `scope` and RFC 9728 `resource_metadata` when known. */
  wwwAuthenticate(extra: ChallengeParams = {}): string {
    const scope = extra.scope ?? this.challenge.scope;
    const metadata = extra.resourceMetadata ?? this.challenge.resourceMetadata;
    const parts: string[] = [];
    if (this.code !== 'unavailable') parts.push(`error=${quoted(this.wireError)}`, `error_description=${quoted(this.message)}`);
    if (scope) parts.push(`scope=${quoted(scope)}`);
    if (metadata) parts.push(`resource_metadata=${quoted(metadata)}`);
    return parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer';
  }

  /** The `Retry-After` value for a 503, else undefined. */
  get retryAfterHeader(): string | undefined {
    return this.code === 'unavailable' ? String(this.retryAfter ?? 1) : undefined;
  }

  /** The JSON body that goes with it: `{error, error_description}`. */
  body(): { error: string; error_description: string } {
    return { error: this.wireError, error_description: this.message };
  }
}

/** Pulls the token out of `Authorization: Bearer …`; anything else is an `invalid_token` (RFC 6750 §2.1). */
export function bearerToken(header: string | undefined | null, challenge: ChallengeParams = {}): string {
  if (!header) throw new MandateTokenError('invalid_token', 'an Authorization: Bearer token is required', challenge);
  const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  if (!m) throw new MandateTokenError('invalid_token', 'the Authorization header must be "Bearer <token>"', challenge);
  return m[1]!;
}
