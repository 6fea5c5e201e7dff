import { publicMessage } from '#shared/errors.js';
import type { GrantView } from '#shared/admin-api.js';
import { send } from '../lib/messaging.js';
import { h } from '../ui/dom.js';
import { overallRisk, riskPill, scopeList } from '../ui/scopes.js';
import { hostOf } from '../lib/url.js';
import { ago, countdown } from '../ui/time.js';
import type { Notify } from './pending.js';
import { onFirstVisible } from './on-visible.js';
import { showText } from '#shared/text.js';
import { authorizationDetailsView } from '../ui/authorization-details.js';

/** Elements whose text shows time left; updated every second by one timer for the whole list. */
export interface Countdown {
  el: HTMLElement;
  expiresAt: number;
}

/** One live delegation: agent, resource, scopes, live countdown, last use, Revoke. */
export function activeItem(g: GrantView, now: number, notify: Notify, timers: Countdown[]): HTMLElement {
  const left = h('span', { class: 'countdown' }, countdown((g.expires_at ?? now) - now));
  timers.push({ el: left, expiresAt: g.expires_at ?? now });
  const revoke = h('button', { type: 'button', class: 'danger small' }, 'Revoke');
  revoke.addEventListener('click', async () => {
    revoke.disabled = true;
    try {
      await send('grants.revoke', { id: g.id });
      notify(`Revoked ${showText(g.agent.name)} on ${hostOf(g.resource)}. It stopped working immediately.`);
    } catch (e) {
      notify(`Could not revoke: ${publicMessage(e)}`, 'error');
      revoke.disabled = false;
    }
  });
  const scopes = g.approved_scope ?? [];
  const used = h('p', { class: 'meta tool-calls', hidden: true });
  const card = h(
    'li',
    { class: 'card active', 'data-grant': g.id },
    h('div', { class: 'card-head' }, h('strong', { class: 'agent' }, showText(g.agent.name)), riskPill(overallRisk(scopes)), revoke),
    h('p', { class: 'meta' }, 'on ', h('span', { class: 'resource', title: g.resource }, hostOf(g.resource))),
    scopeList(scopes),
    g.authorization_details === null ? null : authorizationDetailsView(g.authorization_details),
    h('p', { class: 'meta' }, 'Ends in ', left, ' · ', g.last_used_at === null ? 'not used yet' : `used ${ago(now - g.last_used_at)}`),
    used,
  );
  onFirstVisible(card, () => void lastToolCall(g.id, now, used));
  return card;
}

/** "Used list_notes 3 min ago", and the last refusal if it came after: asked when the card comes into view, filled in once the daemon answers. */
async function lastToolCall(grantId: string, now: number, el: HTMLElement): Promise<void> {
  try {
    const calls = (await send('grants.toolCalls', { id: grantId })).calls;
    const used = calls.find((c) => c.outcome === 'allowed');
    const refused = calls[0]?.outcome === 'refused' ? calls[0] : undefined;
    const tool = (name: string) => h('em', { class: 'tool' }, showText(name));
    if (used) el.append('Used ', tool(used.tool), ` ${ago(now - used.at)}`);
    if (refused) el.append(used ? ' · refused ' : 'Refused ', tool(refused.tool), ` ${ago(now - refused.at)}`);
    el.hidden = !used && !refused;
  } catch {
    // the card stays useful without it
  }
}

/** "Revoke all", with one inline confirmation that says how many delegations end. */
export function revokeAllControl(count: number, notify: Notify): HTMLElement {
  const wrap = h('div', { class: 'revoke-all' });
  const start = h('button', { type: 'button', class: 'danger small' }, 'Revoke all');
  const confirm = h('button', { type: 'button', class: 'danger small' }, `Yes, revoke all ${count}`);
  const cancel = h('button', { type: 'button', class: 'secondary small' }, 'Cancel');
  const question = h(
    'span',
    { class: 'confirm', role: 'group', 'aria-label': 'Confirm revoke all', hidden: true },
    `End ${count} delegation${count === 1 ? '' : 's'} now? `,
    confirm,
    cancel,
  );
  start.addEventListener('click', () => {
    start.hidden = true;
    question.hidden = false;
    cancel.focus();
  });
  cancel.addEventListener('click', () => {
    question.hidden = true;
    start.hidden = false;
  });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      const { revoked } = await send('grants.revokeAll', {});
      notify(`Revoked ${revoked.length} delegation${revoked.length === 1 ? '' : 's'}.`);
    } catch (e) {
      notify(`Could not revoke all: ${publicMessage(e)}`, 'error');
      confirm.disabled = false;
    }
  });
  wrap.append(start, question);
  return wrap;
}
