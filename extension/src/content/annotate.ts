/**
 * The box Mandate puts on an approval card: what that app was granted (external grants recorded in
 * flow D), and, when policy says so, why "Always allow" is off. Text only (h() sets text nodes,
 * never HTML), so names from the page and the daemon show literally. Inline styles with their own
 * colours keep it readable on light and dark pages without a stylesheet.
 */
import type { ContentContext } from '#shared/protocol.js';
import { h } from '../ui/dom.js';
import type { CardButtons } from './match.js';
import { MANDATE_ATTR } from './selectors.js';

type Grant = ContentContext['grants'][number];

const ENDED = new Set(['denied', 'blocked', 'expired', 'revoked', 'ended']);

/** Provider brands and the app names people see on cards for them. */
const BRANDS: Readonly<Record<string, readonly string[]>> = {
  google: ['gmail', 'google', 'drive', 'calendar', 'docs', 'sheets', 'slides', 'youtube'],
  microsoft: ['microsoft', 'outlook', 'onedrive', 'sharepoint', 'teams', 'office', 'live.com'],
  atlassian: ['atlassian', 'jira', 'confluence'],
};
const GENERIC_LABELS = new Set([
  'www',
  'accounts',
  'account',
  'login',
  'auth',
  'oauth',
  'oauth2',
  'api',
  'app',
  'apps',
  'id',
  'sso',
  'com',
  'net',
  'org',
  'io',
  'co',
  'ai',
  'dev',
]);

export const DEFAULT_REASON = 'Mandate turned off “Always allow” here: approve each use, so you see every action this app takes.';

function words(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2 && !GENERIC_LABELS.has(w));
}

/** Whether an external grant at `provider` (a host or a name) is plausibly the app on the card. */
export function grantMatchesApp(provider: string, app: string): boolean {
  const p = provider.toLowerCase();
  const a = app.toLowerCase();
  for (const [brand, names] of Object.entries(BRANDS)) if (p.includes(brand) && names.some((n) => a.includes(n))) return true;
  const appWords = words(a);
  return words(p).some((w) => appWords.includes(w));
}

export function matchingGrants(app: string | undefined, grants: readonly Grant[]): Grant[] {
  if (!app) return [];
  return grants.filter((g) => !ENDED.has(g.status) && grantMatchesApp(g.provider, app));
}

function until(expiresAt: number): string {
  return new Date(expiresAt * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function grantLine(app: string, g: Grant): string {
  const n = g.scopes.length;
  return `Mandate: ${app} holds ${n} permission${n === 1 ? '' : 's'} at ${g.provider} until ${until(g.expires_at)}`;
}

const BOX_STYLE = [
  'all: initial',
  'display: block',
  'box-sizing: border-box',
  'margin: 8px 0',
  'padding: 8px 10px',
  'border: 1px solid #6b8fd6',
  'border-left-width: 4px',
  'border-radius: 8px',
  'background: #eef3fd',
  'color: #14233c',
  'font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif',
  'text-align: start',
  'white-space: normal',
].join('; ');
const LINE_STYLE = 'all: initial; display: block; font: inherit; color: inherit; margin: 0;';
const REASON_STYLE = `${LINE_STYLE} margin-top: 4px; font-weight: 600; color: #7a2e0e;`;

export interface AnnotationInput {
  app: string | undefined;
  grants: readonly Grant[];
  alwaysDisabled: boolean;
  reason: string;
}

export function buildAnnotation({ app, grants, alwaysDisabled, reason }: AnnotationInput): HTMLElement {
  const matching = matchingGrants(app, grants);
  const name = app ?? 'this app';
  const lines = matching.length > 0 ? matching.map((g) => grantLine(name, g)) : [`Mandate has no record of what ${name} was granted`];
  return h(
    'div',
    { [MANDATE_ATTR]: 'note', role: 'note', 'aria-label': 'Mandate', style: BOX_STYLE },
    ...lines.map((line) => h('p', { [MANDATE_ATTR]: 'grant', style: LINE_STYLE }, line)),
    alwaysDisabled ? h('p', { [MANDATE_ATTR]: 'reason', style: REASON_STYLE }, reason.trim() || DEFAULT_REASON) : null,
  );
}

/** Puts the box inside the card, just above the row that holds its buttons. */
export function insertAnnotation(card: Element, buttons: CardButtons, box: HTMLElement): void {
  const present = [buttons.allow, buttons.always, buttons.deny].filter((b): b is HTMLElement => b !== undefined);
  const first = present[0];
  if (!first) {
    card.append(box);
    return;
  }
  // The buttons' nearest common ancestor inside the card is their row; insert before it.
  let row: Element = first;
  while (row.parentElement && row.parentElement !== card && !present.every((b) => row.contains(b))) row = row.parentElement;
  if (present.length > 1 && !present.every((b) => row.contains(b))) row = first;
  const parent = row.parentElement ?? card;
  parent.insertBefore(box, row === card ? card.firstChild : row);
}

/** Disables the card's "Always allow" control. Idempotent: it changes only what is not already so. */
export function disableAlways(button: HTMLElement): void {
  if (button instanceof HTMLButtonElement && !button.disabled) button.disabled = true;
  if (button.getAttribute('aria-disabled') !== 'true') button.setAttribute('aria-disabled', 'true');
  if (button.getAttribute(`${MANDATE_ATTR}-disabled`) === 'always-allow') return;
  button.setAttribute(`${MANDATE_ATTR}-disabled`, 'always-allow');
  button.title = 'Turned off by Mandate';
  button.style.setProperty('opacity', '0.45');
  button.style.setProperty('cursor', 'not-allowed');
}

export function isDisabled(button: HTMLElement): boolean {
  return (!(button instanceof HTMLButtonElement) || button.disabled) && button.getAttribute('aria-disabled') === 'true';
}
