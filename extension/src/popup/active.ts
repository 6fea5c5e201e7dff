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

/**
 * The parts of a live card that change while it is on screen: when the delegation was last used, and its
 * last tool call. A token issued or a call made updates them in place (`showLastUse`); rebuilding the card
 * instead would close what the person has open and could swallow a Revoke click landing at that moment.
 */
export interface LastUse {
  card: HTMLElement;
  lastUsedAt: number | null;
  text: HTMLElement;
  calls: HTMLElement;
}

/** One live delegation: agent, resource, scopes, live countdown, last use, Revoke. */
export function activeItem(g: GrantView, now: number, notify: Notify, timers: Countdown[], lastUses: Map<string, LastUse>): HTMLElement {
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
  const text = h('span', { class: 'last-use' }, lastUseText(g.last_used_at, now));
  const calls = h('p', { class: 'meta tool-calls', hidden: true });
  const card = h(
    'li',
    { class: 'card active', 'data-grant': g.id },
    h('div', { class: 'card-head' }, h('strong', { class: 'agent' }, showText(g.agent.name)), riskPill(overallRisk(scopes)), revoke),
    h('p', { class: 'meta' }, 'on ', h('span', { class: 'resource', title: g.resource }, hostOf(g.resource))),
    scopeList(scopes),
    g.authorization_details === null ? null : authorizationDetailsView(g.authorization_details),
    h('p', { class: 'meta' }, 'Ends in ', left, ' · ', text),
    calls,
  );
  lastUses.set(g.id, { card, lastUsedAt: g.last_used_at, text, calls });
  onFirstVisible(card, () => void lastToolCall(g.id, now, calls));
  return card;
}

/** Brings the built cards' last use up to date, and asks again for the last tool call of those used since. */
export function showLastUse(grants: readonly GrantView[], now: number, lastUses: Map<string, LastUse>): void {
  for (const g of grants) {
    const use = lastUses.get(g.id);
    if (use === undefined || use.lastUsedAt === g.last_used_at) continue;
    use.lastUsedAt = g.last_used_at;
    use.text.textContent = lastUseText(g.last_used_at, now);
    onFirstVisible(use.card, () => void lastToolCall(g.id, now, use.calls));
  }
}

const lastUseText = (lastUsedAt: number | null, now: number) => (lastUsedAt === null ? 'not used yet' : `used ${ago(now - lastUsedAt)}`);

/** "Used list_notes 3 min ago", and the last refusal if it came after: asked when the card comes into view, filled in once the daemon answers. */
async function lastToolCall(grantId: string, now: number, el: HTMLElement): Promise<void> {
  const asked = String(Number(el.dataset.asked ?? 0) + 1);
  el.dataset.asked = asked;
  try {
    const calls = (await send('grants.toolCalls', { id: grantId })).calls;
    if (el.dataset.asked !== asked) return; // asked again after a later use: only the newest answer counts
    const used = calls.find((c) => c.outcome === 'allowed');
    const refused = calls[0]?.outcome === 'refused' ? calls[0] : undefined;
    const tool = (name: string) => h('em', { class: 'tool' }, showText(name));
    el.replaceChildren();
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
