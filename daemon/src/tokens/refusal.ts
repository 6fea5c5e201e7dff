import type { MandateReason } from '#shared/oauth.js';
import type { GrantRecord } from '../store/grants.repo.js';
import { OAuthError } from '../http/errors.js';

/**
 * A token-endpoint refusal that says, in the extension member `mandate_reason`, why the delegation cannot give
 * another token: a program branches on it instead of parsing `error_description`. `error` stays standard.
 */
export class DelegationRefused extends OAuthError {
  override name = 'DelegationRefused';
  constructor(
    code: 'invalid_grant' | 'expired_token' | 'access_denied',
    description: string,
    readonly reason: MandateReason,
  ) {
    super(400, code, description);
  }
}

/** Why a grant gives no more tokens, or undefined while it is live. */
export function endReason(g: GrantRecord, now: number): MandateReason | undefined {
  if (g.status === 'revoked') return 'revoked';
  if (g.status === 'ended') return 'ended';
  if (g.status === 'expired' || (g.status === 'approved' && (g.expires_at === null || g.expires_at <= now))) return 'expired';
  return undefined;
}
