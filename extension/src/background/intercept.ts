import type { ExternalGrantView } from '#shared/admin-api.js';
import type { InterceptOpened, RequestOf } from '#shared/protocol.js';
import { revokePageFor } from '#shared/providers/revoke-pages.js';
import {
  isRedirectBack,
  isSignInOnlyRequest,
  parseAuthorizationRequest,
  redirectOutcome,
  withScopes,
  type AuthorizationRequest,
} from '../intercept/authorization-request.js';
import { ALLOW_RULE_BASE, allowRule, filterSafe, looksLikeAuthorizationEndpoint, looksLikeAuthorizationRequest } from '../intercept/coarse-filter.js';
import browser from '../lib/browser.js';
import { ExtensionError } from '../lib/errors.js';
import { daemonWaitingGrant, isDaemonAuthorize, isLoopbackPath } from '../lib/daemon-pages.js';
import { hostOf } from '../lib/url.js';
import { callDaemon, DaemonError, type DaemonTarget } from './daemon-client.js';
import { interceptState, type Review, type Tracked } from './intercept-state.js';
import { effectiveSettings } from './settings.js';

const patternsInForce = async () => {
  const s = await effectiveSettings();
  return [...s.patterns, ...s.orgPatterns];
};

/** The extension's own pages (review, approve): their navigations are not the reviewed request. */
const EXTENSION_BASE = browser.runtime.getURL('/');

/** A sign-in-only request is recorded for this long; nothing more was given. */
const SIGN_IN_SECONDS = 3600;

/** A review or report the service worker refuses: the request is not sent (codes: invalid_request, invalid_scope, forbidden). */
export class InterceptError extends ExtensionError {
  override name = 'InterceptError';
}

type Frame = { tabId: number; frameId: number };

/**
 * Flow D. The static ruleset (intercept/coarse-filter.ts) sends every OAuth-shaped page or frame load to
 * the review page before the provider sees anything. The review page asks what it stands in for; the
 * answer comes from what this worker observed itself (webNavigation.onBeforeNavigate), decoded the way a
 * provider reads it. Not an agent's request: let through at once. Sign-in only: continued and recorded.
 * Anything else: the person decides, on exactly that request (by review id), recorded in the daemon
 * before anything is sent; the request is then let through once, in that tab, and the redirect back
 * tells the outcome.
 */
export function interceptor(daemon: () => Promise<DaemonTarget>, onChange: () => void) {
  const state = interceptState();

  /** Lets this tab (or frame) load exactly this address once; the rule is removed when the frame commits. */
  async function letThrough(at: Frame, url: string, frame: 'main_frame' | 'sub_frame'): Promise<{ id: number; url: string }> {
    const safe = filterSafe(url);
    const id = await state.addAllowRule(at);
    await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: [id], addRules: [allowRule(id, at.tabId, safe, frame)] });
    if (frame === 'main_frame') await browser.tabs.update(at.tabId, { url: safe });
    return { id, url: safe };
  }

  async function record(request: AuthorizationRequest | undefined, url: string, decision: 'continue' | 'block', scope: string[], seconds: number) {
    const created = await callDaemon(await daemon(), 'external.create', {
      platform: request?.platform?.id ?? 'unknown',
      provider_host: request?.provider ?? hostOf(url, 'unknown'),
      client_id: request?.clientId ?? 'unknown',
      redirect_uri: request?.redirectUri?.href ?? (request?.hidden ? `hidden (${request.hidden})` : 'unknown'),
      requested_scope: request?.scopes ?? [],
      allowed_scope: decision === 'block' ? [] : scope,
      resource: request?.resources[0] ?? null,
      authorization_details: request?.authorizationDetails?.raw.slice(0, 16_384) ?? null,
      pkce: request?.pkce === 'S256',
      expires_in: seconds,
      decision,
    });
    onChange();
    return created;
  }

  /** Lets a reviewed request through and follows the tab until the provider sends it back. */
  async function proceed(tabId: number, request: AuthorizationRequest, scope: string[], externalId: string): Promise<string> {
    const target = withScopes(request, scope);
    const allowed = await letThrough({ tabId, frameId: 0 }, target, 'main_frame');
    await state.track(tabId, {
      externalId,
      redirectUri: request.redirectUri?.href ?? null,
      provider: request.url.origin,
      clientId: request.clientId,
      allowedScope: scope,
      since: Date.now(),
    });
    return allowed.url;
  }

  /** The next step of a request the person already let through in this tab (the provider's own login flow). */
  function followsAllowed(t: Tracked | undefined, r: AuthorizationRequest): boolean {
    return (
      t !== undefined &&
      r.hidden === null &&
      r.url.origin === t.provider &&
      r.clientId === t.clientId &&
      (r.redirectUri?.href ?? null) === t.redirectUri &&
      r.scopes.every((s) => t.allowedScope.includes(s))
    );
  }

  /** The paired daemon's URL when `url` could be one of its pages ('' otherwise, or when it cannot be reached). */
  async function pairedDaemonUrl(url: string): Promise<string> {
    if (!isLoopbackPath(url, '/authorize')) return '';
    return (await daemon().catch(() => undefined))?.url ?? '';
  }

  /** The review page asks what it stands in for. */
  async function open(via: 'get' | 'post', at: Frame): Promise<InterceptOpened> {
    const seen = await state.takeSeen(at);
    if (!seen) return { action: 'none' };
    if (at.frameId !== 0) {
      // Nothing can be reviewed inside another site's frame (it could be hidden or clickjacked). Loads that
      // are not an agent's request go on; anything else stays blocked (a silent prompt=none stays silent).
      const parsed = parseAuthorizationRequest(seen.url, await patternsInForce());
      if (via === 'get' && parsed.kind === 'not-agent-oauth') {
        const allowed = await letThrough(at, seen.url, 'sub_frame');
        return { action: 'load', url: allowed.url };
      }
      return { action: 'blocked', reason: 'an authorization request inside a frame cannot be reviewed' };
    }
    if (via === 'post') return { action: 'post', id: await state.addReview({ ...at, url: seen.url, via }), url: seen.url };
    // The paired daemon's own /authorize: Mandate's request, decided in Mandate (the card opens on its waiting page).
    if (isDaemonAuthorize(await pairedDaemonUrl(seen.url), seen.url)) {
      const allowed = await letThrough(at, seen.url, 'main_frame');
      return { action: 'load', url: allowed.url };
    }
    const parsed = parseAuthorizationRequest(seen.url, await patternsInForce());
    if (parsed.kind === 'refused') return { action: 'refused', reason: parsed.reason };
    if (parsed.kind === 'not-agent-oauth') {
      const allowed = await letThrough(at, seen.url, 'main_frame');
      return { action: 'load', url: allowed.url };
    }
    const r = parsed.request;
    const tracked = await state.tracked(at.tabId);
    if (followsAllowed(tracked, r)) {
      await letThrough(at, r.url.href, 'main_frame');
      return { action: 'continued', url: r.url.href, reason: 'the next step of the request you allowed' };
    }
    if (isSignInOnlyRequest(r)) {
      const created = await record(r, r.url.href, 'continue', r.scopes, SIGN_IN_SECONDS);
      await proceed(at.tabId, r, r.scopes, created.id);
      return { action: 'continued', url: r.url.href, reason: 'sign-in only' };
    }
    return { action: 'review', id: await state.addReview({ ...at, url: seen.url, via }), url: seen.url };
  }

  /** The person's decision, on exactly the request they were shown (single use, from the same tab). */
  async function decide(p: RequestOf<'intercept.decide'>, tabId: number): Promise<{ status: 'continued' | 'blocked'; external_id: string }> {
    const review = await state.review(p.id);
    if (!review || review.tabId !== tabId) throw new InterceptError('invalid_request', 'this review is no longer open: start again from the app');
    const parsed = review.via === 'get' ? parseAuthorizationRequest(review.url, await patternsInForce()) : undefined;
    const request = parsed?.kind === 'request' ? parsed.request : undefined;
    if (p.decision === 'continue') {
      if (!request) throw new InterceptError('invalid_request', 'Mandate will not send a request it could not show you');
      const extra = p.scope.filter((s) => !request.scopes.includes(s));
      if (extra.length > 0) throw new InterceptError('invalid_scope', `not requested: ${extra.join(' ')}`);
      if (!request.narrowable && p.scope.length !== request.scopes.length) {
        throw new InterceptError('invalid_scope', 'this request is signed or hidden, so its scopes cannot be narrowed: continue with all or block');
      }
    }
    // Recorded first: if the daemon cannot record it, nothing is sent (fail closed).
    const created = await record(request, review.url, p.decision, p.scope, p.expires_in);
    await state.dropReview(p.id);
    if (p.decision === 'block' || !request) return { status: 'blocked', external_id: created.id };
    await proceed(tabId, request, p.scope, created.id);
    return { status: 'continued', external_id: created.id };
  }

  /** Every navigation that the network rules may send to the review page is noted, with its real address. */
  async function onBeforeNavigate(at: Frame, url: string): Promise<void> {
    if (looksLikeAuthorizationRequest(url) || looksLikeAuthorizationEndpoint(url)) await state.noteSeen(at, url);
  }

  /** A frame committed: its one-time allow rule is spent; a tracked tab may be back at the platform. */
  async function onCommitted(at: Frame, url: string): Promise<void> {
    // Our own pages do not spend a rule: Firefox reports the review page's own navigation as ending (an error
    // event) right after it asks for the reviewed request, before that request has even gone out.
    if (!url.startsWith(EXTENSION_BASE)) {
      const spent = await state.takeAllowRules(at);
      if (spent.length > 0) await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: spent });
    }
    if (at.frameId === 0) {
      await onTrackedNavigation(at.tabId, url);
      await onDaemonWaiting(at.tabId, url);
    }
  }

  /** A tab waits on the daemon for a decision: the request's card opens in that same tab (extension/src/approve). */
  async function onDaemonWaiting(tabId: number, url: string): Promise<void> {
    if (!isLoopbackPath(url, '/authorize/wait')) return;
    const target = await daemon().catch(() => undefined);
    const grant = target?.auth === undefined ? undefined : daemonWaitingGrant(target.url, url);
    if (grant === undefined) return;
    const page = new URL(browser.runtime.getURL('src/approve/index.html'));
    page.searchParams.set('grant', grant);
    page.searchParams.set('back', url);
    await browser.tabs.update(tabId, { url: page.href });
  }

  async function onTrackedNavigation(tabId: number, url: string): Promise<void> {
    const t = await state.tracked(tabId);
    if (!t) return;
    if (t.redirectUri === null || !isRedirectBack({ redirectUri: new URL(t.redirectUri) }, url)) return;
    const outcome = redirectOutcome(url);
    await state.untrack(tabId);
    if (!outcome) return;
    try {
      await callDaemon(await daemon(), 'external.outcome', { id: t.externalId }, outcome);
      onChange();
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      console.warn(`[mandate] could not record the outcome of ${t.externalId}: ${e.message}`);
    }
  }

  /** "Revoke": open the provider's page where the person removes the access, and record it as revoked by them. */
  async function revokeExternal(id: string): Promise<ExternalGrantView> {
    const g = await callDaemon(await daemon(), 'external.revoke', { id });
    await browser.tabs.create({ url: revokePageFor(g.provider_host).url });
    onChange();
    return g;
  }

  /** Rules from earlier versions (dynamic, per pattern) and allow rules left from a previous worker are removed. */
  async function clearStaleRules(): Promise<void> {
    const dynamic = await browser.declarativeNetRequest.getDynamicRules();
    if (dynamic.length > 0) await browser.declarativeNetRequest.updateDynamicRules({ removeRuleIds: dynamic.map((r) => r.id) });
    const live = new Set(await state.allowRuleIds());
    const stale = (await browser.declarativeNetRequest.getSessionRules()).filter((r) => r.id >= ALLOW_RULE_BASE && !live.has(r.id));
    if (stale.length > 0) await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: stale.map((r) => r.id) });
  }

  function listen(): void {
    browser.webNavigation.onBeforeNavigate.addListener((d) => void onBeforeNavigate({ tabId: d.tabId, frameId: d.frameId }, d.url));
    // Firefox now and then reports no onBeforeNavigate for a load its network rules redirect (in about one new
    // tab in ten to fifteen here); its webRequest still sees the request, so there it is a second witness of the load.
    if (browser.runtime.getManifest().permissions?.includes('webRequest')) {
      browser.webRequest.onBeforeRequest.addListener((d) => void onBeforeNavigate({ tabId: d.tabId, frameId: d.frameId }, d.url), {
        urls: ['<all_urls>'],
        types: ['main_frame', 'sub_frame'],
      });
    }
    browser.webNavigation.onCommitted.addListener((d) => void onCommitted({ tabId: d.tabId, frameId: d.frameId }, d.url));
    browser.webNavigation.onErrorOccurred.addListener((d) => void onCommitted({ tabId: d.tabId, frameId: d.frameId }, d.url));
    browser.tabs.onRemoved.addListener(async (tabId) => {
      const spent = await state.forgetTab(tabId);
      if (spent.length > 0) await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: spent });
    });
  }

  return { clearStaleRules, open, decide, revokeExternal, listen };
}

export type Interceptor = ReturnType<typeof interceptor>;
export type { Review };
