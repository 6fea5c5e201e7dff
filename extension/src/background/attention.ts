import type { ExternalGrantView, GrantView } from '#shared/admin-api.js';
import { revokePageFor } from '#shared/providers/revoke-pages.js';
import { requestNotification } from '../lib/summary.js';
import type { ExtensionState } from '#shared/protocol.js';
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
      ...requestNotification(g),
    });
  }
}

/** Notification id carrying where a click should go: the provider's page for removing the access. */
export const expiredNotificationId = (g: ExternalGrantView, url: string) => `expired:${g.id}|${url}`;

/** At expiry: say so, and offer the provider's page where the access is really removed. */
export async function notifyExpiredExternal(grants: ExternalGrantView[]): Promise<void> {
  for (const g of grants) {
    const page = revokePageFor(g.provider_host);
    await browser.notifications.create(expiredNotificationId(g, page.url), {
      type: 'basic',
      iconUrl: browser.runtime.getURL('icons/icon-128.png'),
      title: `Mandate: ${g.platform} access to ${page.name} has expired`,
      message: `The time you allowed is over, but ${page.name} still honours the access until you remove it. Click to open ${page.name}’s page.`,
      contextMessage: page.steps,
    });
  }
}
