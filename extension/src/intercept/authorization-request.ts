import { isSignInOnly } from '#shared/scopes/catalog.js';
import { platformFor, type MatchedPlatform } from './platforms.js';
import { readRequestObject } from './request-object.js';

/** Longest authorization URL Mandate reviews; longer ones are refused (nothing legitimate needs more). */
export const MAX_URL_LENGTH = 8192;
/** Parameters OAuth forbids repeating (RFC 6749 §3.1); `resource` may repeat (RFC 8707). */
const SINGLE = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'authorization_details',
  'request',
  'request_uri',
  'claims',
];
/**
 * Parameters a plain sign-in may carry (RFC 6749, OpenID Connect Core §3.1.2.1, RFC 7636). A request
 * with anything else (`resource`, `authorization_details`, `claims`, `include_granted_scopes`,
 * `access_type`…) asks for more than who you are, so it is never continued without a look.
 */
const SIGN_IN_PARAMS = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'response_mode',
  'prompt',
  'login_hint',
  'max_age',
  'ui_locales',
  'display',
  'iss',
]);

/** What Mandate cannot see in a request, and so what the person is warned about. */
export type Hidden = 'pushed' | 'encrypted-request-object' | 'request-object-by-reference' | 'no-redirect';

export const HIDDEN_TEXT: Record<Hidden, string> = {
  pushed:
    'The app sent this request’s contents to the provider directly (a pushed authorization request). Mandate cannot see which permissions it asks for or where it returns.',
  'request-object-by-reference':
    'The request’s contents are kept at an address the provider fetches. Mandate cannot see which permissions it asks for or where it returns.',
  'encrypted-request-object': 'The request’s contents are encrypted for the provider. Mandate cannot see which permissions it asks for or where it returns.',
  'no-redirect':
    'The request does not say where the provider sends you back, so the provider uses the address the app registered. Mandate cannot tell which agent platform receives the access.',
};

export interface AuthorizationRequest {
  url: URL;
  provider: string;
  /** The agent platform, or null when the redirect is hidden (see `hidden`). */
  platform: MatchedPlatform | null;
  clientId: string;
  responseType: string | null;
  redirectUri: URL | null;
  scopes: string[];
  resources: string[];
  /** Raw JSON text as sent, and the parsed value when it is valid JSON. */
  authorizationDetails: { raw: string; parsed: unknown } | null;
  pkce: 'S256' | 'plain' | 'none';
  /** Set when part of the request cannot be seen: it is reviewed with a warning, never passed silently. */
  hidden: Hidden | null;
  /** False when the scopes cannot be narrowed (a signed request object would break). */
  narrowable: boolean;
  /** True when the parameters came from a signed request object (RFC 9101): what the provider reads. */
  fromRequestObject: boolean;
  /** Parameter names the request carries, as the provider reads them. */
  parameters: string[];
}

export type ParseResult =
  | { kind: 'request'; request: AuthorizationRequest }
  /** Not an OAuth request for an agent platform: let it through untouched. */
  | { kind: 'not-agent-oauth'; reason: string }
  /** Looks like one but is malformed or hostile: never sent without a person's explicit look. */
  | { kind: 'refused'; reason: string };

type Params = { get(name: string): string | null; getAll(name: string): string[]; has(name: string): boolean; names: string[] };

function queryParams(url: URL): Params {
  const p = url.searchParams;
  return { get: (n) => p.get(n), getAll: (n) => p.getAll(n), has: (n) => p.has(n), names: [...new Set(p.keys())] };
}

/** RFC 9101: when a request object is present, the provider reads the parameters inside it, not the query. */
function objectParams(claims: Record<string, unknown>): Params {
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : v === undefined || v === null ? null : JSON.stringify(v));
  const all = (n: string): string[] => {
    const v = claims[n];
    if (Array.isArray(v) && n === 'resource') return v.filter((x): x is string => typeof x === 'string');
    const t = text(v);
    return t === null ? [] : [t];
  };
  return { get: (n) => text(claims[n]), getAll: all, has: (n) => claims[n] !== undefined, names: Object.keys(claims) };
}

function parseRedirect(raw: string | null): { ok: true; url: URL | null } | { ok: false; reason: string } {
  if (raw === null) return { ok: true, url: null };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'redirect_uri is not a URL' };
  }
  if (/^(javascript|data|blob|file|about|filesystem|view-source):$/.test(url.protocol)) {
    return { ok: false, reason: `redirect_uri uses ${url.protocol}, not an address an app can receive` };
  }
  return { ok: true, url };
}

/**
 * Recognises an OAuth authorization request and decodes it the way the provider will read it: parameter
 * names and values percent-decoded, a signed request object's contents instead of the query, a pushed or
 * encrypted request marked as hidden. Everything here is untrusted: it comes from an address any page can
 * build. Requests whose redirect is not an agent platform are let through; hidden ones are reviewed.
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
  const query = queryParams(url);
  if (!query.has('client_id') || !(query.has('response_type') || query.has('request') || query.has('request_uri'))) {
    return { kind: 'not-agent-oauth', reason: 'no client_id with response_type, request or request_uri' };
  }
  for (const name of SINGLE) {
    if (query.getAll(name).length > 1) return { kind: 'refused', reason: `the request repeats ${name}, which OAuth forbids` };
  }
  const clientId = query.get('client_id')!;
  if (clientId.length > 500) return { kind: 'refused', reason: 'client_id is implausibly long' };

  let params = query;
  let hidden: Hidden | null = null;
  let fromRequestObject = false;
  if (query.has('request_uri')) {
    hidden = /^urn:ietf:params:oauth:request_uri:/i.test(query.get('request_uri')!) ? 'pushed' : 'request-object-by-reference';
  } else if (query.has('request')) {
    const object = readRequestObject(query.get('request')!);
    if (object.kind === 'invalid') return { kind: 'refused', reason: `the request object is not readable: ${object.reason}` };
    if (object.kind === 'encrypted') hidden = 'encrypted-request-object';
    else {
      const inner = object.claims.client_id;
      if (inner !== undefined && inner !== clientId) return { kind: 'refused', reason: 'the request object names a different client_id' };
      params = objectParams(object.claims);
      fromRequestObject = true;
    }
  }

  const responseType = params.get('response_type');
  if ((responseType?.length ?? 0) > 100) return { kind: 'refused', reason: 'response_type is implausibly long' };
  const redirect = parseRedirect(hidden ? null : params.get('redirect_uri'));
  if (!redirect.ok) return { kind: 'refused', reason: redirect.reason };
  let platform: MatchedPlatform | null = null;
  if (redirect.url) {
    platform = platformFor(redirect.url, customPatterns) ?? null;
    if (!platform) return { kind: 'not-agent-oauth', reason: 'redirect_uri is not an agent platform' };
  } else if (!hidden) {
    hidden = 'no-redirect';
  }

  const scopes = [...new Set((params.get('scope') ?? '').split(' ').filter((s) => s !== ''))];
  const detailsRaw = params.get('authorization_details');
  let authorizationDetails: AuthorizationRequest['authorizationDetails'] = null;
  if (detailsRaw !== null) {
    let parsed: unknown;
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
      redirectUri: redirect.url,
      scopes,
      resources: params.getAll('resource'),
      authorizationDetails,
      pkce,
      hidden,
      narrowable: hidden === null && !fromRequestObject,
      fromRequestObject,
      parameters: params.names,
    },
  };
}

/**
 * True only for a request that asks nothing but who you are: sign-in scopes, standard parameters,
 * nothing hidden. Only these continue without the person's look.
 */
export function isSignInOnlyRequest(r: AuthorizationRequest): boolean {
  return r.hidden === null && !r.fromRequestObject && isSignInOnly(r.scopes) && r.parameters.every((p) => SIGN_IN_PARAMS.has(p));
}

/** The same request with a narrower `scope`; every other parameter is kept as it was. */
export function withScopes(request: AuthorizationRequest, scopes: readonly string[]): string {
  const same = scopes.length === request.scopes.length && scopes.every((s) => request.scopes.includes(s));
  if (same) return request.url.href;
  if (!request.narrowable) throw new TypeError('this request cannot be narrowed');
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
