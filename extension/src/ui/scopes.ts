import { describeScopes, highestRisk, type RiskOrUnknown, type ScopeInfo } from '#shared/scopes/catalog.js';
import { h } from './dom.js';
import { showText } from '#shared/text.js';

export const RISK_LABEL: Record<RiskOrUnknown, string> = {
  'sign-in': 'Sign-in',
  read: 'Read',
  write: 'Write',
  offline: 'Offline access',
  admin: 'Admin',
  unknown: 'Unknown',
};

export function riskPill(risk: RiskOrUnknown): HTMLElement {
  return h('span', { class: `risk risk-${risk}` }, RISK_LABEL[risk]);
}

function scopeText(info: ScopeInfo): HTMLElement {
  return h(
    'span',
    { class: 'scope-text' },
    h('span', { class: 'scope-desc' }, info.known ? info.description : 'Not in Mandate’s catalog: check with the agent’s maker'),
    h('code', { class: 'scope-id', title: showText(info.scope) }, showText(info.scope)),
  );
}

/** "2 permissions are not in Mandate’s catalog", or null when every scope is known. */
function unknownCount(infos: readonly ScopeInfo[]): HTMLElement | null {
  const n = infos.filter((i) => !i.known).length;
  return n === 0 ? null : h('li', { class: 'scope-unknown-count', role: 'note' }, `${n} permission${n === 1 ? ' is' : 's are'} not in Mandate’s catalog`);
}

/** Read-only list of scopes in plain words, each with its risk. */
export function scopeList(scopes: readonly string[]): HTMLElement {
  const infos = describeScopes(scopes);
  return h('ul', { class: 'scopes' }, ...infos.map((info) => h('li', { class: 'scope' }, scopeText(info), riskPill(info.risk))), unknownCount(infos));
}

/**
 * Scopes the person can untick (`fixed`: shown ticked and locked, for a request that cannot be narrowed). Each checkbox is labelled by its scope string (for assistive tech and
 * tests alike); the plain-words description sits beside it.
 */
export function scopeChoices(
  scopes: readonly string[],
  onChange: () => void,
  org: { blocked?: readonly string[]; alwaysAsk?: readonly string[]; fixed?: boolean; held?: readonly string[] } = {},
): { element: HTMLElement; chosen: () => string[] } {
  const infos = describeScopes(scopes);
  const blocked = (s: string) => org.blocked?.includes(s) ?? false;
  const boxes = infos.map((info) =>
    h('input', {
      type: 'checkbox',
      checked: !blocked(info.scope),
      disabled: blocked(info.scope) || org.fixed === true,
      'aria-label': info.scope,
      on: { change: onChange },
    }),
  );
  const note = (s: string) =>
    blocked(s)
      ? h('span', { class: 'org-note' }, 'Blocked: set by your organisation')
      : org.alwaysAsk?.includes(s)
        ? h('span', { class: 'org-note' }, 'Asked each time: set by your organisation')
        : org.held?.includes(s)
          ? h('span', { class: 'held-note' }, 'Already granted')
          : null;
  const element = h(
    'ul',
    { class: 'scopes choosable' },
    ...infos.map((info, i) =>
      h(
        'li',
        { class: `scope${blocked(info.scope) ? ' blocked' : ''}` },
        h('label', { class: 'scope-label' }, boxes[i]!, h('span', { class: 'scope-text' }, scopeText(info), note(info.scope))),
        riskPill(info.risk),
      ),
    ),
    unknownCount(infos),
  );
  return { element, chosen: () => infos.filter((x, i) => boxes[i]!.checked && !blocked(x.scope)).map((x) => x.scope) };
}

export function overallRisk(scopes: readonly string[]): RiskOrUnknown {
  return highestRisk(describeScopes(scopes));
}
