import { publicMessage } from '#shared/errors.js';
import type { GrantView } from '#shared/admin-api.js';
import type { Policy } from '#shared/policy.js';
import { describeDuration } from '#shared/duration.js';
import { describeScope } from '#shared/scopes/catalog.js';
import { send } from '../lib/messaging.js';
import { h } from '../ui/dom.js';
import { durationPicker } from '../ui/duration-picker.js';
import { overallRisk, riskPill, scopeChoices } from '../ui/scopes.js';
import { hostOf } from '../lib/url.js';
import { clockTime } from '../ui/time.js';
import { authorizationDetailsView, describeAuthorizationDetails } from '../ui/authorization-details.js';
import { RISK_ORDER, type RiskOrUnknown } from '#shared/scopes/catalog.js';
import { showText } from '#shared/text.js';

export type Notify = (message: string, kind?: 'ok' | 'error') => void;

/** The more serious of two risks; an unknown scope stays unknown (shown like admin). */
function worse(a: RiskOrUnknown, b: RiskOrUnknown): RiskOrUnknown {
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return RISK_ORDER.indexOf(a) >= RISK_ORDER.indexOf(b) ? a : b;
}

/**
 * One pending request: who, for what task, on what, what exactly (authorization_details in plain words), which
 * scopes (untickable), how long; Approve / Deny. If the details cannot be shown in full, Approve stays disabled.
 * Names and task text go through the one text policy: hidden characters show as visible markers. `seenPayees`
 * (IBANs of payments approved before) flags a payment to an account never paid before.
 */
export function pendingItem(g: GrantView, notify: Notify, policy: Policy, seenPayees?: ReadonlySet<string>): HTMLElement {
  const name = showText(g.agent.name);
  const details = g.authorization_details === null ? undefined : describeAuthorizationDetails(g.authorization_details, seenPayees ? { seenPayees } : {});
  const unshowable = details !== undefined && !details.showable;
  const approve = h('button', { type: 'button', class: 'primary' }, 'Approve');
  const deny = h('button', { type: 'button', class: 'secondary' }, 'Deny');
  const hint = h('p', { class: 'hint', hidden: true }, 'Tick at least one permission, or Deny.');
  const refuse = () => unshowable || choices.chosen().length === 0;
  const choices = scopeChoices(
    g.requested_scope,
    () => {
      approve.disabled = refuse();
      hint.hidden = unshowable || choices.chosen().length > 0;
    },
    { blocked: policy.blockedScopes ?? [], alwaysAsk: policy.alwaysAskScopes ?? [], held: g.held_scope ?? [] },
  );
  const cap = policy.maxDelegationMinutes === undefined ? undefined : policy.maxDelegationMinutes * 60;
  const duration = durationPicker(g.requested_duration, cap === undefined ? {} : { cap });

  const busy = (on: boolean) => {
    approve.disabled = on || refuse();
    deny.disabled = on;
  };
  approve.addEventListener('click', async () => {
    if (refuse()) return;
    const seconds = duration.seconds();
    if (seconds === undefined) return notify(`Choose a duration of at most ${describeDuration(g.requested_duration)}.`, 'error');
    busy(true);
    try {
      const granted = await send('requests.approve', { id: g.id, scope: choices.chosen(), expires_in: seconds });
      const what = (granted.approved_scope ?? []).map((s) => {
        const info = describeScope(s);
        return info.known ? info.description.toLowerCase() : s;
      });
      notify(`Approved for ${name} until ${clockTime(granted.expires_at ?? 0)} (${describeDuration(seconds)}): ${what.join('; ')}.`);
    } catch (e) {
      notify(`Not approved: ${publicMessage(e)}`, 'error');
      busy(false);
    }
  });
  deny.addEventListener('click', async () => {
    busy(true);
    try {
      await send('requests.deny', { id: g.id });
      notify(`Denied ${name}’s request.`);
    } catch (e) {
      notify(`Could not deny: ${publicMessage(e)}`, 'error');
      busy(false);
    }
  });

  if (refuse()) approve.disabled = true;
  if (!unshowable && choices.chosen().length === 0) hint.hidden = false;
  const risk = details ? worse(overallRisk(g.requested_scope), details.risk) : overallRisk(g.requested_scope);
  return h(
    'li',
    { class: `card pending risk-edge-${risk}`, 'data-grant': g.id },
    h('div', { class: 'card-head' }, h('strong', { class: 'agent' }, name), riskPill(risk)),
    g.binding_message ? h('p', { class: 'task' }, '“', showText(g.binding_message), '”') : h('p', { class: 'task muted' }, 'No task description given'),
    h(
      'p',
      { class: 'meta' },
      'on ',
      h('span', { class: 'resource', title: g.resource }, showText(hostOf(g.resource))),
      ` · asks for ${describeDuration(g.requested_duration)}`,
    ),
    g.authorization_details === null ? null : authorizationDetailsView(g.authorization_details, undefined, seenPayees ? { seenPayees } : {}),
    choices.element,
    hint,
    unshowable
      ? h('p', { class: 'hint' }, 'Approve is disabled: Mandate cannot show everything this request carries. Deny it, and ask the agent’s maker.')
      : null,
    duration.element,
    h('div', { class: 'actions' }, deny, approve),
  );
}
