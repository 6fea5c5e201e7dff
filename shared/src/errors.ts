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
