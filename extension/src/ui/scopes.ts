import { describeScopes, highestRisk, type RiskOrUnknown, type ScopeInfo } from '../../../shared/src/scopes/catalog.js';
import { h } from './dom.js';

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
    h('code', { class: 'scope-id', title: info.scope }, info.scope),
  );
}

/** Read-only list of scopes in plain words, each with its risk. */
export function scopeList(scopes: readonly string[]): HTMLElement {
  return h('ul', { class: 'scopes' }, ...describeScopes(scopes).map((info) => h('li', { class: 'scope' }, scopeText(info), riskPill(info.risk))));
}

/**
 * Scopes the person can untick. Each checkbox is labelled by its scope string (for assistive tech and
 * tests alike); the plain-words description sits beside it.
 */
export function scopeChoices(scopes: readonly string[], onChange: () => void): { element: HTMLElement; chosen: () => string[] } {
  const infos = describeScopes(scopes);
  const boxes = infos.map((info) => h('input', { type: 'checkbox', checked: true, 'aria-label': info.scope, on: { change: onChange } }));
  const element = h(
    'ul',
    { class: 'scopes choosable' },
    ...infos.map((info, i) => h('li', { class: 'scope' }, h('label', { class: 'scope-label' }, boxes[i]!, scopeText(info)), riskPill(info.risk))),
  );
  return { element, chosen: () => infos.filter((_, i) => boxes[i]!.checked).map((x) => x.scope) };
}

export function overallRisk(scopes: readonly string[]): RiskOrUnknown {
  return highestRisk(describeScopes(scopes));
}
