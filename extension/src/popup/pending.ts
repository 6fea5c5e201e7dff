import type { GrantView } from '../../../shared/src/admin-api.js';
import type { Policy } from '../../../shared/src/policy.js';
import { describeDuration } from '../../../shared/src/duration.js';
import { describeScope } from '../../../shared/src/scopes/catalog.js';
import { send } from '../lib/messaging.js';
import { h } from '../ui/dom.js';
import { durationPicker } from '../ui/duration-picker.js';
import { overallRisk, riskPill, scopeChoices } from '../ui/scopes.js';
import { hostOf } from '../lib/url.js';
import { clockTime } from '../ui/time.js';

export type Notify = (message: string, kind?: 'ok' | 'error') => void;

/** One pending request: who, for what task, on what, which scopes (untickable), how long; Approve / Deny. */
export function pendingItem(g: GrantView, notify: Notify, policy: Policy): HTMLElement {
  const approve = h('button', { type: 'button', class: 'primary' }, 'Approve');
  const deny = h('button', { type: 'button', class: 'secondary' }, 'Deny');
  const hint = h('p', { class: 'hint', hidden: true }, 'Tick at least one permission, or Deny.');
  const choices = scopeChoices(
    g.requested_scope,
    () => {
      const none = choices.chosen().length === 0;
      approve.disabled = none;
      hint.hidden = !none;
    },
    { blocked: policy.blockedScopes ?? [], alwaysAsk: policy.alwaysAskScopes ?? [] },
  );
  const cap = policy.maxDelegationMinutes === undefined ? undefined : policy.maxDelegationMinutes * 60;
  const duration = durationPicker(g.requested_duration, cap === undefined ? {} : { cap });

  const busy = (on: boolean) => {
    approve.disabled = on || choices.chosen().length === 0;
    deny.disabled = on;
  };
  approve.addEventListener('click', async () => {
    const seconds = duration.seconds();
    if (seconds === undefined) return notify(`Choose a duration of at most ${describeDuration(g.requested_duration)}.`, 'error');
    busy(true);
    try {
      const granted = await send('requests.approve', { id: g.id, scope: choices.chosen(), expires_in: seconds });
      const what = (granted.approved_scope ?? []).map((s) => {
        const info = describeScope(s);
        return info.known ? info.description.toLowerCase() : s;
      });
      notify(`Approved for ${g.agent.name} until ${clockTime(granted.expires_at ?? 0)} (${describeDuration(seconds)}): ${what.join('; ')}.`);
    } catch (e) {
      notify(`Not approved: ${(e as Error).message}`, 'error');
      busy(false);
    }
  });
  deny.addEventListener('click', async () => {
    busy(true);
    try {
      await send('requests.deny', { id: g.id });
      notify(`Denied ${g.agent.name}’s request.`);
    } catch (e) {
      notify(`Could not deny: ${(e as Error).message}`, 'error');
      busy(false);
    }
  });

  if (choices.chosen().length === 0) {
    approve.disabled = true;
    hint.hidden = false;
  }
  return h(
    'li',
    { class: `card pending risk-edge-${overallRisk(g.requested_scope)}`, 'data-grant': g.id },
    h('div', { class: 'card-head' }, h('strong', { class: 'agent' }, g.agent.name), riskPill(overallRisk(g.requested_scope))),
    g.binding_message ? h('p', { class: 'task' }, '“', g.binding_message, '”') : h('p', { class: 'task muted' }, 'No task description given'),
    h('p', { class: 'meta' }, 'on ', h('span', { class: 'resource', title: g.resource }, hostOf(g.resource)), ` · asks for ${describeDuration(g.requested_duration)}`),
    choices.element,
    hint,
    duration.element,
    h('div', { class: 'actions' }, deny, approve),
  );
}
