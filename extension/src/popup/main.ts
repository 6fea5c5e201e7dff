import '../lib/zod-jitless.js';
import { showText } from '#shared/text.js';
import type { ExternalGrantView, GrantView } from '#shared/admin-api.js';
import { STATE_PORT, type ExtensionState } from '#shared/protocol.js';
import browser from '../lib/browser.js';
import { $, h, replaceChildren } from '../ui/dom.js';
import { connectionBadge, disconnectedPanel } from '../ui/connection.js';
import { hostOf } from '../lib/url.js';
import { countdown, daemonClock } from '../ui/time.js';
import { activeItem, revokeAllControl, showLastUse, type Countdown, type LastUse } from './active.js';
import { externalItem, platformLabel } from './external.js';
import { pendingItem, type Notify } from './pending.js';
import { payeesOf } from '../ui/authorization-details.js';
import { lazyList } from './lazy-list.js';
import { forgetDetached } from './on-visible.js';
import { renderAfterPress } from './hold-while-pressed.js';

const main = $('#main');
const status = $('#status');
let timers: Countdown[] = [];
let clock = () => Math.floor(Date.now() / 1000);
let lastKey = '';
/** Pending cards are kept by id so a re-render never throws away a choice the person is making. */
const pendingCards = new Map<string, HTMLElement>();
let lastPolicy = '';
/** The built active cards' last-use lines, updated in place: a token issued does not rebuild the popup. */
const lastUses = new Map<string, LastUse>();
/** The newest list of active delegations: same ids in the same order until the next rebuild (they are in the key). */
let active: readonly GrantView[] = [];
/** Whether the person opened the history. */
let historyOpen = false;
/** "Revoke all", kept while the number it would end stays the same: a rebuild must not take back its question. */
let revokeAll: { count: number; control: HTMLElement } | undefined;

const notify: Notify = (message, kind = 'ok') => {
  status.textContent = message;
  status.className = `toast ${kind}`;
};

function section(title: string, count: number, extra: HTMLElement | null, list: HTMLElement): HTMLElement {
  return h(
    'section',
    { 'aria-label': title },
    h('div', { class: 'section-head' }, h('h2', {}, title, h('span', { class: 'count' }, String(count))), extra),
    list,
  );
}

/** One line of history: status, who, where, when (daemon grants and external grants alike). */
function historyRow(status: string, who: string, where: string, when: number): HTMLElement {
  return h(
    'li',
    { class: 'history-item' },
    h('span', { class: `status status-${status}` }, status),
    ' ',
    h('strong', {}, who),
    ' · ',
    h('span', { title: where }, hostOf(where)),
    ' · ',
    h('time', {}, new Date(when * 1000).toLocaleString()),
  );
}

const historyItem = (g: GrantView) => historyRow(g.status, showText(g.agent.name), g.resource, g.ended_at ?? g.decided_at ?? g.created_at);
const externalHistoryItem = (g: ExternalGrantView) =>
  historyRow(g.status, platformLabel(g.platform), `https://${g.provider_host}/`, g.ended_at ?? g.outcome_at ?? g.created_at);

/**
 * Pending requests survive re-renders untouched (a person may be mid-choice); lists are rebuilt when they
 * change. A delegation used (a token issued) changes only its card's last-use line, in place.
 */
function render(state: ExtensionState): void {
  replaceChildren($('#connection'), connectionBadge(state.connection));
  if (state.connection.state !== 'online') {
    lastKey = '';
    timers = [];
    pendingCards.clear();
    revokeAll = undefined;
    replaceChildren(main, disconnectedPanel(state));
    return;
  }
  clock = daemonClock(state.daemonNow, state.readAt);
  const key = JSON.stringify([
    state.pending.map((g) => g.id),
    state.policy,
    state.active.map((g) => g.id),
    state.history.length,
    state.external.map((g) => [g.id, g.status]),
    state.externalHistory.length,
  ]);
  active = state.active;
  if (key === lastKey) {
    showLastUse(state.active, clock(), lastUses);
    return;
  }
  lastKey = key;
  const now = clock();
  timers = [];
  lastUses.clear();
  if (state.active.length < 2) revokeAll = undefined; // not shown: a later one asks afresh

  const ids = new Set(state.pending.map((g) => g.id));
  for (const id of pendingCards.keys()) if (!ids.has(id)) pendingCards.delete(id);
  if (JSON.stringify(state.policy) !== lastPolicy) pendingCards.clear(); // policy changed: rebuild with its limits
  lastPolicy = JSON.stringify(state.policy);
  const seenPayees = new Set([...state.active, ...state.history].filter((g) => g.approved_scope !== null).flatMap((g) => payeesOf(g.authorization_details)));
  const cards = state.pending.map((g) => {
    const card = pendingCards.get(g.id) ?? pendingItem(g, notify, state.policy, seenPayees);
    pendingCards.set(g.id, card);
    return card;
  });
  const pendingList = h('ul', { class: 'list', 'aria-label': 'Requests waiting for you' }, ...cards);
  const activeList = h('ul', { class: 'list', 'aria-label': 'Active delegations' });
  lazyList(
    activeList,
    state.active,
    // a card built after later updates (scrolled to) shows the newest view of its delegation
    (g, i) => activeItem(active[i]?.id === g.id ? active[i] : g, now, notify, timers, lastUses),
    () => key !== lastKey,
  );

  replaceChildren(
    main,
    state.pending.length > 0 ? section('Waiting for you', state.pending.length, null, pendingList) : null,
    section(
      'Active',
      state.active.length,
      state.active.length > 1 ? revokeAllFor(state.active.length) : null,
      state.active.length > 0 ? activeList : h('p', { class: 'empty' }, 'No agent holds a delegation from Mandate right now.'),
    ),
    state.external.length > 0
      ? section(
          'Agent platforms',
          state.external.length,
          null,
          h('ul', { class: 'list', 'aria-label': 'Access given to agent platforms' }, ...state.external.map((g) => externalItem(g, now, notify, timers))),
        )
      : null,
    state.history.length + state.externalHistory.length > 0 ? historyPanel(state) : null,
  );
}

function revokeAllFor(count: number): HTMLElement {
  if (revokeAll?.count !== count) revokeAll = { count, control: revokeAllControl(count, notify) };
  return revokeAll.control;
}

/** The last 50 of each kind, folded; it stays open across re-renders once the person opened it. */
function historyPanel(state: ExtensionState): HTMLElement {
  const panel = h(
    'details',
    { class: 'history', open: historyOpen },
    h('summary', {}, `History (${state.history.length + state.externalHistory.length})`),
    h('ul', { class: 'list' }, ...state.history.slice(0, 50).map(historyItem), ...state.externalHistory.slice(0, 50).map(externalHistoryItem)),
  );
  panel.addEventListener('toggle', () => {
    historyOpen = panel.open;
  });
  return panel;
}

setInterval(() => {
  const now = clock();
  for (const t of timers) t.el.textContent = countdown(t.expiresAt - now);
}, 1000);

const port = browser.runtime.connect({ name: STATE_PORT });
const show = renderAfterPress((state: ExtensionState) => {
  render(state);
  forgetDetached();
  performance.mark('mandate:rendered');
});
port.onMessage.addListener((message: unknown) => {
  performance.mark('mandate:state-received');
  // The service worker parsed everything from the daemon with the shared schemas; this port only
  // carries its own state (sender-checked on connect), so the popup does not parse 1,000 grants again.
  show(message as ExtensionState);
});

$('#open-options').addEventListener('click', (e) => {
  e.preventDefault();
  void browser.runtime.openOptionsPage();
});
$('#open-activity').addEventListener('click', (e) => {
  e.preventDefault();
  void browser.tabs.create({ url: browser.runtime.getURL('src/activity/index.html') });
});
