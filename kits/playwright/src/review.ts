/** The review page Mandate shows in place of an agent's authorization request (flow D), driven as a person would. */
import type { BrowserContext, Page, Request } from '@playwright/test';
import { pickDuration, type Duration } from './duration.js';
import { playwright } from './playwright.js';

export type Pkce = 'S256' | 'plain' | 'none';

/** What the intercepted request asks, parsed from the authorization URL the app opened. */
export interface ReviewedRequest {
  /** The agent platform as Mandate names it (e.g. "Local agent or MCP client"). */
  platform: string;
  /** The authorization server's host. */
  provider: string;
  clientId: string;
  redirectUri: string | undefined;
  scopes: string[];
  resource: string[];
  authorizationDetails: unknown;
  pkce: Pkce;
}

export interface Review extends ReviewedRequest {
  /** The tab showing the review page. */
  page: Page;
  /** The authorization URL as the app opened it. */
  url: string;
  untick(scope: string): Promise<void>;
  setDuration(duration: Duration): Promise<void>;
  /** Waits for Continue to arm (the page must be seen for a moment), clicks it, and waits until the tab left for the provider. */
  continue(): Promise<void>;
  block(): Promise<void>;
}

export interface ReviewQueue {
  next(opts?: { timeout?: number }): Promise<Review>;
}

const REVIEW_PATH = '/src/review/index.html';

export function parseAuthorizationUrl(url: string, platform: string): ReviewedRequest {
  const u = new URL(url);
  const q = u.searchParams;
  let details: unknown;
  const raw = q.get('authorization_details');
  if (raw !== null) {
    try {
      details = JSON.parse(raw) as unknown;
    } catch {
      details = raw;
    }
  }
  const method = q.get('code_challenge_method');
  return {
    platform,
    provider: u.host,
    clientId: q.get('client_id') ?? '',
    redirectUri: q.get('redirect_uri') ?? undefined,
    scopes: (q.get('scope') ?? '').split(' ').filter(Boolean),
    resource: q.getAll('resource'),
    authorizationDetails: details,
    pkce: q.get('code_challenge') === null ? 'none' : method === 'S256' ? 'S256' : 'plain',
  };
}

/**
 * Watches every tab of the context: the last authorization request each tab tried to load, and review
 * pages as they open. `next()` hands out each review page once, oldest first.
 */
export function reviewQueue(context: BrowserContext, extensionId: string): ReviewQueue {
  const lastRequest = new WeakMap<Page, string>();
  const seen = new WeakSet<Page>();
  const onRequest = (req: Request) => {
    if (!req.isNavigationRequest()) return;
    const url = new URL(req.url());
    if (url.protocol === 'chrome-extension:' || !(url.searchParams.has('client_id') || url.searchParams.has('request'))) return;
    const page = req.frame().page();
    lastRequest.set(page, req.url());
  };
  context.on('request', onRequest);
  const isReview = (p: Page) => p.url().startsWith(`chrome-extension://${extensionId}${REVIEW_PATH}`);

  return {
    async next({ timeout = 15_000 } = {}) {
      let page: Page | undefined;
      await playwright.expect
        .poll(
          () => {
            page = context.pages().find((p) => isReview(p) && !seen.has(p));
            return page !== undefined;
          },
          { timeout, message: 'no Mandate review page opened: did the app start an authorization request to a known agent platform?' },
        )
        .toBe(true);
      const p = page!;
      seen.add(p);
      const heading = p.getByRole('heading', { level: 1 });
      await playwright.expect(heading).toContainText('wants access to your', { timeout });
      const title = (await heading.textContent()) ?? '';
      const platform = /^(.*) wants access to your /.exec(title)?.[1] ?? '';
      const url = lastRequest.get(p);
      if (url === undefined) throw new Error('Mandate showed a review page, but the kit did not see which authorization URL this tab opened');
      const parsed = parseAuthorizationUrl(url, platform);
      return {
        ...parsed,
        page: p,
        url,
        async untick(scope) {
          await p.getByRole('checkbox', { name: scope, exact: true }).uncheck();
        },
        async setDuration(duration) {
          await pickDuration(p.locator('body'), duration);
        },
        async continue() {
          const button = p.getByRole('button', { name: 'Continue' });
          await playwright.expect(button).toBeEnabled({ timeout });
          await button.click();
          await playwright.expect.poll(() => isReview(p) || p.isClosed(), { timeout }).toBe(false);
        },
        async block() {
          await p.getByRole('button', { name: 'Block' }).click();
          await playwright.expect(p.getByRole('heading', { name: 'Blocked' })).toBeVisible({ timeout });
        },
      };
    },
  };
}
