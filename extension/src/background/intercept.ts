import { externalGrantView, type ExternalGrantView } from '../../../shared/src/admin-api.js';
import type { RequestOf } from '../../../shared/src/protocol.js';
import { revokePageFor } from '../../../shared/src/providers/revoke-pages.js';
import { isRedirectBack, parseAuthorizationRequest, redirectOutcome, withScopes } from '../intercept/authorization-request.js';
import { ALLOW_RULE_BASE, REVIEW_RULE_BASE, allowRule, reviewRules } from '../intercept/dnr-rules.js';
import browser from '../lib/browser.js';
import { hostOf } from '../lib/url.js';
import { callDaemon, DaemonError, type DaemonTarget } from './daemon-client.js';
import { effectiveSettings } from './settings.js';

const patternsInForce = async () => {
  const s = await effectiveSettings();
  return [...s.patterns, ...s.orgPatterns];
};

/** A consent the person let through, followed until the provider redirects back (kept across worker restarts). */
interface Tracked {
  externalId: string;
  redirectUri: string;
  allowRuleId: number;
  since: number;
}

const TRACK_KEY = 'mandate-tracked-consents';
const TRACK_FOR_MS = 30 * 60 * 1000;

async function tracked(): Promise<Record<string, Tracked>> {
  return ((await browser.storage.session.get(TRACK_KEY))[TRACK_KEY] as Record<string, Tracked> | undefined) ?? {};
}
async function saveTracked(all: Record<string, Tracked>): Promise<void> {
  await browser.storage.session.set({ [TRACK_KEY]: all });
}

export class InterceptError extends Error {
  override name = 'InterceptError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Flow D: declarativeNetRequest sends every navigation that might be an agent platform's OAuth request to
 * the review page before the provider sees it; the person's decision is recorded in the daemon, and only
 * then is the (possibly narrowed) request let through, once, in that tab. The redirect back tells the
 * outcome. Extra patterns come from the person's settings (settings.ts).
 */
export function interceptor(daemon: () => Promise<DaemonTarget>, onChange: () => void) {
  const reviewPage = browser.runtime.getURL('src/review/index.html');

  async function installRules(): Promise<void> {
    const rules = reviewRules(reviewPage, await patternsInForce());
    const existing = await browser.declarativeNetRequest.getDynamicRules();
    await browser.declarativeNetRequest.updateDynamicRules({
      removeRuleIds: existing.filter((r) => r.id >= REVIEW_RULE_BASE && r.id < ALLOW_RULE_BASE).map((r) => r.id),
      addRules: rules as never,
    });
  }

  async function letThrough(tabId: number, url: string): Promise<number> {
    const id = ALLOW_RULE_BASE + (Math.floor(Math.random() * 1_000_000) % 1_000_000);
    await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: [id], addRules: [allowRule(id, tabId, url)] as never });
    await browser.tabs.update(tabId, { url });
    return id;
  }

  async function decide(p: RequestOf<'intercept.decide'>, tabId: number): Promise<{ status: 'continued' | 'blocked'; external_id: string }> {
    const parsed = parseAuthorizationRequest(p.url, await patternsInForce());
    if (parsed.kind !== 'request') {
      if (p.decision === 'continue') throw new InterceptError('invalid_request', `Mandate will not send this request: ${parsed.reason}`);
    }
    const request = parsed.kind === 'request' ? parsed.request : undefined;
    const requested = request?.scopes ?? [];
    const extra = p.scope.filter((s) => !requested.includes(s));
    if (extra.length > 0) throw new InterceptError('invalid_scope', `not requested: ${extra.join(' ')}`);
    // Recorded first: if the daemon cannot record it, nothing is sent (fail closed).
    const created = await callDaemon(await daemon(), 'POST', '/external-grants', externalGrantView, {
      platform: request?.platform.id ?? 'unknown',
      provider_host: request?.provider ?? hostOf(p.url, 'unknown'),
      client_id: request?.clientId ?? 'unknown',
      redirect_uri: request?.redirectUri.href ?? 'unknown',
      requested_scope: requested,
      allowed_scope: p.decision === 'block' ? [] : p.scope,
      resource: request?.resources[0] ?? null,
      authorization_details: request?.authorizationDetails?.raw.slice(0, 16_384) ?? null,
      pkce: request?.pkce === 'S256',
      expires_in: p.expires_in,
      decision: p.decision,
    });
    onChange();
    if (p.decision === 'block' || !request) return { status: 'blocked', external_id: created.id };
    const url = withScopes(request, p.scope);
    const allowRuleId = await letThrough(tabId, url);
    const all = await tracked();
    all[String(tabId)] = { externalId: created.id, redirectUri: request.redirectUri.href, allowRuleId, since: Date.now() };
    await saveTracked(all);
    return { status: 'continued', external_id: created.id };
  }

  /** Not an agent OAuth request after all (the review page checked): load it untouched. */
  async function pass(url: string, tabId: number): Promise<void> {
    if (parseAuthorizationRequest(url, await patternsInForce()).kind === 'request') throw new InterceptError('forbidden', 'this is an agent OAuth request: review it');
    if (!/^https?:\/\//i.test(url)) throw new InterceptError('invalid_request', 'not a web address');
    await letThrough(tabId, url);
  }

  /** Watches navigations in tracked tabs for the redirect back to the platform. */
  async function onNavigation(tabId: number, url: string): Promise<void> {
    const all = await tracked();
    const t = all[String(tabId)];
    if (!t) return;
    if (Date.now() - t.since > TRACK_FOR_MS) {
      delete all[String(tabId)];
      await saveTracked(all);
      return;
    }
    if (!isRedirectBack({ redirectUri: new URL(t.redirectUri) }, url)) return;
    const outcome = redirectOutcome(url);
    delete all[String(tabId)];
    await saveTracked(all);
    await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: [t.allowRuleId] });
    if (!outcome) return;
    try {
      await callDaemon(await daemon(), 'POST', `/external-grants/${encodeURIComponent(t.externalId)}/outcome`, externalGrantView, outcome);
      onChange();
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      console.warn(`[mandate] could not record the outcome of ${t.externalId}: ${e.message}`);
    }
  }

  /** "Revoke": open the provider's page where the person removes the access, and record it as revoked by them. */
  async function revokeExternal(id: string): Promise<ExternalGrantView> {
    const g = await callDaemon(await daemon(), 'POST', `/external-grants/${encodeURIComponent(id)}/revoke`, externalGrantView, {});
    await browser.tabs.create({ url: revokePageFor(g.provider_host).url });
    onChange();
    return g;
  }

  function listen(): void {
    browser.webNavigation.onBeforeNavigate.addListener((d) => void (d.frameId === 0 && onNavigation(d.tabId, d.url)));
    browser.webNavigation.onCommitted.addListener((d) => void (d.frameId === 0 && onNavigation(d.tabId, d.url)));
    browser.webNavigation.onErrorOccurred.addListener((d) => void (d.frameId === 0 && onNavigation(d.tabId, d.url)));
    browser.tabs.onRemoved.addListener(async (tabId) => {
      const all = await tracked();
      const t = all[String(tabId)];
      if (!t) return;
      delete all[String(tabId)];
      await saveTracked(all);
      await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: [t.allowRuleId] });
    });
  }

  return { installRules, decide, pass, revokeExternal, listen };
}

export type Interceptor = ReturnType<typeof interceptor>;
