import { allPatterns } from './platforms.js';

/** The parts of chrome.declarativeNetRequest.Rule Mandate uses (typed here to keep the API in one place). */
export interface DnrRule {
  id: number;
  priority: number;
  action: { type: 'redirect'; redirect: { regexSubstitution: string } } | { type: 'allow' };
  condition: {
    regexFilter?: string;
    urlFilter?: string;
    resourceTypes: ['main_frame'];
    tabIds?: number[];
  };
}

export const REVIEW_RULE_BASE = 1000;
export const ALLOW_RULE_BASE = 500_000;

/** A character of a redirect URI as it may appear in a query: literally or percent-encoded. */
function encodedChar(ch: string): string {
  const code = ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  const literal = /[A-Za-z0-9_~-]/.test(ch) ? ch : `\\${ch}`;
  return /[A-Za-z0-9._~-]/.test(ch) ? (ch === '.' ? '\\.' : ch) : `(?:${literal}|%${code[0]}[${code[1]}${code[1]!.toLowerCase()}])`;
}

/**
 * RE2 pattern (declarativeNetRequest) matching a navigation to any authorization endpoint whose query
 * carries `redirect_uri=` for this platform pattern, encoded or not. Whether it really is an OAuth
 * request is decided on the review page; this only has to catch every candidate before it is sent.
 */
export function candidateRegex(pattern: string): string {
  const m = /^(https?):\/\/([^/]+)(\/.*)$/.exec(pattern)!;
  const [, scheme, authority, path] = m;
  const host = authority!.replace(/:\*$/, '');
  const port = authority!.endsWith(':*') ? `${encodedChar(':')}[0-9]{1,5}` : '';
  const enc = (text: string) => [...text].map((ch) => (ch === '*' ? '[^&#]*' : encodedChar(ch))).join('');
  const value = `${enc(`${scheme}://`)}${enc(host)}${port}${enc(path!)}`;
  return `^https?://[^?#]*\\?(?:[^#]*&)?redirect_uri=${value}(?:[&#%?]|$)`;
}

/** One redirect-to-review rule per platform pattern. */
export function reviewRules(reviewPageUrl: string, customPatterns: readonly string[] = []): DnrRule[] {
  return allPatterns(customPatterns).map((pattern, i) => ({
    id: REVIEW_RULE_BASE + i,
    priority: 1,
    action: { type: 'redirect', redirect: { regexSubstitution: `${reviewPageUrl}#\\0` } },
    condition: { regexFilter: candidateRegex(pattern), resourceTypes: ['main_frame'] },
  }));
}

/** After the person presses Continue: this tab may load exactly this address once, unreviewed. */
export function allowRule(id: number, tabId: number, url: string): DnrRule {
  return {
    id,
    priority: 2,
    action: { type: 'allow' },
    condition: { urlFilter: `|${url.replace(/[*^|]/g, '*')}|`, tabIds: [tabId], resourceTypes: ['main_frame'] },
  };
}
