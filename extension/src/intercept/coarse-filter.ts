/**
 * The network-level coarse filter for flow D (security checklist 10a). It decides nothing: it only makes
 * sure that every request that could be an OAuth authorization request reaches the review page (or is
 * blocked) before anything is sent. The review page then decodes the request the way a provider does and
 * decides. It errs toward review: any `client_id` and any percent-encoded parameter name count, and it
 * does not depend on `redirect_uri` (which may be absent or hidden).
 *
 * These rules ship as a static ruleset (public/rules/intercept.json, written by `npm run rules` and
 * checked against this module by a test), so they are active from the first moment after install and
 * cannot be broken by a pattern someone adds: platform patterns are applied on the review page, not here.
 */
import type { DeclarativeNetRequest } from '../lib/browser.js';

const QUERY = '^https?://[^?#]*\\?(?:[^#]*&)?';
/**
 * A `client_id` parameter. Providers read parameter names case-sensitively, so only this spelling counts;
 * encoded spellings are caught by ENCODED_NAME_RE.
 */
export const CLIENT_ID_RE = `${QUERY}client_id=`;
/**
 * A parameter name with a percent-encoded letter, digit or underscore (`%63lient_id`, `redirect%5Furi`):
 * nothing legitimate encodes those, and a provider decodes them back to the plain name.
 */
export const ENCODED_NAME_RE = `${QUERY}[^=&#]*%(?:[346][0-9a-fA-F]|[57][0-9aA]|5[fF])`;
/** `client_id` with `response_type`, `request` or `request_uri`, in either order (two rules: RE2's size limit). */
const KIND = '(?:response_type|request(?:_uri)?)=';
export const AUTHORIZATION_PAIR_RES = [`${QUERY}client_id=[^#]*&${KIND}`, `${QUERY}${KIND}[^#]*&client_id=`] as const;

/** Paths of authorization endpoints, for form POSTs whose parameters Mandate cannot see. */
export const AUTHORIZATION_ENDPOINT_RE = '^https?://[^?#]*/(?:[^?#/]*authori[sz](?:e|ation)[^?#/]*|auth)(?:[/?#]|$)';

export const REVIEW_PAGE = '/src/review/index.html';
export const STATIC_RULESET_ID = 'intercept';

const SUBRESOURCES = [
  'xmlhttprequest',
  'script',
  'image',
  'stylesheet',
  'object',
  'ping',
  'media',
  'font',
  'websocket',
  'webtransport',
  'webbundle',
  'csp_report',
  'other',
] as const;

/** Chromium also knows `webbundle` and `webtransport`, which the polyfill's types (drawn from Firefox) lack. */
type ResourceType = DeclarativeNetRequest.ResourceType | 'webbundle' | 'webtransport';
/** A static declarativeNetRequest rule: the polyfill's type, with Chromium's resource types. */
export type DnrRule = Omit<DeclarativeNetRequest.Rule, 'condition'> & {
  condition: Omit<DeclarativeNetRequest.RuleConditionType, 'resourceTypes'> & { resourceTypes?: ResourceType[] };
};

/** How the review page learns why it was opened: `get` (parameters in the address) or `post` (hidden in a form). */
export type Via = 'get' | 'post';

/**
 * The static ruleset: review every page or frame load that carries a `client_id` (or an encoded parameter
 * name); block OAuth-shaped subresources that another site sends (a script, image or beacon cannot show a
 * person anything, so it cannot be reviewed). Form POSTs are caught only when another site sends them
 * (`thirdParty`): a provider's own consent form posts to its own authorization endpoint once the person is
 * already there, and must keep working. GET loads are caught whoever starts them: a local agent opens the
 * address with no initiator at all. Every regex here passes Chromium's isRegexSupported (tested).
 */
export function staticRules(): DnrRule[] {
  const frames: ResourceType[] = ['main_frame', 'sub_frame'];
  const review = (via: Via) => ({ type: 'redirect' as const, redirect: { extensionPath: `${REVIEW_PAGE}?via=${via}` } });
  const rules: Omit<DnrRule, 'id' | 'priority'>[] = [
    ...[CLIENT_ID_RE, ENCODED_NAME_RE].map((regexFilter) => ({
      action: review('get'),
      condition: { regexFilter, isUrlFilterCaseSensitive: true, excludedRequestMethods: ['post' as const], resourceTypes: frames },
    })),
    ...[CLIENT_ID_RE, ENCODED_NAME_RE].map((regexFilter) => ({
      action: review('post'),
      condition: { regexFilter, isUrlFilterCaseSensitive: true, requestMethods: ['post' as const], domainType: 'thirdParty' as const, resourceTypes: frames },
    })),
    {
      action: review('post'),
      condition: {
        regexFilter: AUTHORIZATION_ENDPOINT_RE,
        isUrlFilterCaseSensitive: false,
        requestMethods: ['post'],
        domainType: 'thirdParty',
        resourceTypes: frames,
      },
    },
    ...[...AUTHORIZATION_PAIR_RES, ENCODED_NAME_RE].map((regexFilter) => ({
      action: { type: 'block' as const },
      condition: { regexFilter, isUrlFilterCaseSensitive: true, domainType: 'thirdParty' as const, resourceTypes: [...SUBRESOURCES] },
    })),
  ];
  return rules.map((r, i) => ({ id: i + 1, priority: 1, ...r }));
}

const FRAME_JS = [new RegExp(CLIENT_ID_RE), new RegExp(ENCODED_NAME_RE)];
const ENDPOINT_JS = new RegExp(AUTHORIZATION_ENDPOINT_RE, 'i');

/** The same test as the frame rules, for navigations the service worker observes. */
export function looksLikeAuthorizationRequest(url: string): boolean {
  return FRAME_JS.some((re) => re.test(url));
}

export function looksLikeAuthorizationEndpoint(url: string): boolean {
  return ENDPOINT_JS.test(url);
}

export const ALLOW_RULE_BASE = 500_000;

/** The characters urlFilter gives a meaning to; an exact-match filter must contain none of them. */
const FILTER_SPECIAL = /[*^|]/g;
const HAS_FILTER_SPECIAL = /[*^|]/;

/**
 * The same address with `*`, `^` and `|` percent-encoded: a provider decodes them back to the same
 * request, and the address can then be matched exactly by a urlFilter (which has no escape character).
 */
export function filterSafe(url: string): string {
  return url.replace(FILTER_SPECIAL, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** After the person presses Continue: this tab (this kind of frame) may load exactly this address once. */
export function allowRule(id: number, tabId: number, url: string, frame: 'main_frame' | 'sub_frame' = 'main_frame'): DeclarativeNetRequest.Rule {
  if (HAS_FILTER_SPECIAL.test(url)) throw new TypeError('allowRule needs a filterSafe() address');
  return {
    id,
    priority: 2,
    action: { type: 'allow' },
    condition: { urlFilter: `|${url}|`, isUrlFilterCaseSensitive: true, tabIds: [tabId], resourceTypes: [frame] },
  };
}
