import { platformFor, type MatchedPlatform } from './platforms.js';

/** Longest authorization URL Mandate reviews; longer ones are refused (nothing legitimate needs more). */
export const MAX_URL_LENGTH = 8192;
/** Parameters OAuth forbids repeating (RFC 6749 §3.1); `resource` may repeat (RFC 8707). */
const SINGLE = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'authorization_details'];

export interface AuthorizationRequest {
  url: URL;
  provider: string;
  platform: MatchedPlatform;
  clientId: string;
  responseType: string;
  redirectUri: URL;
  scopes: string[];
  resources: string[];
  /** Raw JSON text as sent, and the parsed value when it is valid JSON. */
  authorizationDetails: { raw: string; parsed: unknown } | null;
  pkce: 'S256' | 'plain' | 'none';
}

export type ParseResult =
  | { kind: 'request'; request: AuthorizationRequest }
  /** Not an OAuth request for an agent platform: let it through untouched. */
  | { kind: 'not-agent-oauth'; reason: string }
  /** Looks like one but is malformed or hostile: never sent without a person's explicit look. */
  | { kind: 'refused'; reason: string };

/**
 * Recognises an OAuth authorization request (response_type + client_id) whose redirect_uri belongs to
 * an agent platform. Everything here is untrusted: it comes from a URL any page can build.
 */
export function parseAuthorizationRequest(raw: string, customPatterns: readonly string[] = []): ParseResult {
  if (raw.length > MAX_URL_LENGTH) return { kind: 'refused', reason: `the address is longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: 'not-agent-oauth', reason: 'not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'not-agent-oauth', reason: `${url.protocol} is not a web address` };
  const params = url.searchParams;
  if (!params.has('response_type') || !params.has('client_id')) return { kind: 'not-agent-oauth', reason: 'no response_type and client_id' };
  for (const name of SINGLE) {
    if (params.getAll(name).length > 1) return { kind: 'refused', reason: `the request repeats ${name}, which OAuth forbids` };
  }
  const redirectRaw = params.get('redirect_uri');
  if (!redirectRaw) return { kind: 'not-agent-oauth', reason: 'no redirect_uri' };
  let redirectUri: URL;
  try {
    redirectUri = new URL(redirectRaw);
  } catch {
    return { kind: 'refused', reason: 'redirect_uri is not a URL' };
  }
  if (redirectUri.protocol !== 'https:' && redirectUri.protocol !== 'http:') {
    return { kind: 'refused', reason: `redirect_uri uses ${redirectUri.protocol}, not a web address` };
  }
  const platform = platformFor(redirectUri, customPatterns);
  if (!platform) return { kind: 'not-agent-oauth', reason: 'redirect_uri is not an agent platform' };
  const clientId = params.get('client_id')!;
  const responseType = params.get('response_type')!;
  if (clientId.length > 500 || responseType.length > 100) return { kind: 'refused', reason: 'client_id or response_type is implausibly long' };

  const scopes = [...new Set((params.get('scope') ?? '').split(' ').filter((s) => s !== ''))];
  const detailsRaw = params.get('authorization_details');
  let authorizationDetails: AuthorizationRequest['authorizationDetails'] = null;
  if (detailsRaw !== null) {
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(detailsRaw);
    } catch {
      parsed = undefined;
    }
    authorizationDetails = { raw: detailsRaw, parsed };
  }
  const method = params.get('code_challenge_method');
  const pkce = !params.has('code_challenge') ? 'none' : method === 'S256' ? 'S256' : 'plain';
  return {
    kind: 'request',
    request: {
      url,
      provider: url.host,
      platform,
      clientId,
      responseType,
      redirectUri,
      scopes,
      resources: params.getAll('resource'),
      authorizationDetails,
      pkce,
    },
  };
}

/** The same request with a narrower `scope`; every other parameter is kept as it was. */
export function withScopes(request: AuthorizationRequest, scopes: readonly string[]): string {
  const same = scopes.length === request.scopes.length && scopes.every((s) => request.scopes.includes(s));
  if (same) return request.url.href;
  const url = new URL(request.url.href);
  url.searchParams.set('scope', scopes.join(' '));
  return url.href;
}

/** True when the redirect the provider sent back is to this request's redirect_uri (same origin and path). */
export function isRedirectBack(request: { redirectUri: URL }, navigated: string): boolean {
  try {
    const u = new URL(navigated);
    return u.origin === request.redirectUri.origin && u.pathname === request.redirectUri.pathname;
  } catch {
    return false;
  }
}

/** What came back at the redirect: a code (never stored) or an error code. Looks at query and fragment. */
export function redirectOutcome(navigated: string): { result: 'granted' } | { result: 'denied'; error: string } | undefined {
  let u: URL;
  try {
    u = new URL(navigated);
  } catch {
    return undefined;
  }
  const fragment = new URLSearchParams(u.hash.slice(1));
  const get = (k: string) => u.searchParams.get(k) ?? fragment.get(k);
  const error = get('error');
  if (error !== null) return { result: 'denied', error: /^[\x20-\x7e]{1,100}$/.test(error) ? error : 'invalid_error' };
  if (get('code') !== null || get('access_token') !== null) return { result: 'granted' };
  return undefined;
}
