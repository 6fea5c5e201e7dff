import type { GrantView } from '../../../shared/src/admin-api.js';
import { requestSummary } from '../lib/summary.js';
import type { ExtensionState } from '../../../shared/src/protocol.js';
import browser from '../lib/browser.js';

/** Toolbar badge: the number of requests waiting; "!" when the daemon cannot be reached or pairing is needed. */
export async function updateBadge(state: ExtensionState): Promise<void> {
  const c = state.connection.state;
  if (c === 'online') {
    const n = state.pending.length;
    await browser.action.setBadgeText({ text: n === 0 ? '' : n > 99 ? '99+' : String(n) });
    await browser.action.setBadgeBackgroundColor({ color: '#b42318' });
    await browser.action.setTitle({ title: n === 0 ? 'Mandate: nothing waiting' : `Mandate: ${n} request${n === 1 ? '' : 's'} waiting for you` });
    return;
  }
  await browser.action.setBadgeText({ text: c === 'connecting' ? '' : '!' });
  await browser.action.setBadgeBackgroundColor({ color: '#667085' });
  const why = c === 'unpaired' ? 'not paired with the daemon' : c === 'rejected' ? 'pairing was rejected; pair again' : 'daemon not running';
  await browser.action.setTitle({ title: `Mandate: ${why}` });
}

export async function notifyRequests(requests: GrantView[]): Promise<void> {
  for (const g of requests) {
    await browser.notifications.create(`request:${g.id}`, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('icons/icon-128.png'),
      title: 'Mandate: approval needed',
      message: requestSummary(g),
      contextMessage: g.binding_message ?? undefined,
    });
  }
}
