import type { Connection, ExtensionState } from '#shared/protocol.js';
import browser from '../lib/browser.js';
import { hostOf } from '../lib/url.js';
import { h } from './dom.js';

const LABEL: Record<Connection['state'], string> = {
  online: 'Connected',
  connecting: 'Connecting…',
  offline: 'Daemon offline',
  unpaired: 'Not paired',
  rejected: 'Pairing rejected',
  impostor: 'Not your daemon',
};

export function connectionBadge(c: Connection): HTMLElement {
  return h('span', { class: `dot dot-${c.state}`, title: c.state === 'online' ? `Acting for ${c.person}` : LABEL[c.state] }, LABEL[c.state]);
}

/** What to do when there is no live daemon: said plainly, with the command to run. Nothing can be approved. */
export function disconnectedPanel(state: ExtensionState): HTMLElement {
  const c = state.connection;
  const openOptions = h('button', { type: 'button', class: 'primary', on: { click: () => void browser.runtime.openOptionsPage() } }, 'Open settings to pair');
  switch (c.state) {
    case 'offline':
      return h(
        'div',
        { class: 'panel warn', role: 'alert' },
        h('h2', {}, 'The Mandate daemon is not running'),
        h('p', {}, 'Approvals are paused until it is back: no agent can get new access in the meantime.'),
        h('p', {}, 'Start it in a terminal, in the Mandate folder:'),
        h('pre', {}, 'npm start'),
        h('p', { class: 'muted' }, `Expected at ${state.daemonUrl}. Reconnecting automatically…`),
      );
    case 'rejected':
      return h(
        'div',
        { class: 'panel warn', role: 'alert' },
        h('h2', {}, 'The daemon no longer accepts this browser'),
        h('p', {}, 'Its pairing was revoked or the daemon’s data was reset. Pair again with a new code from ', h('code', {}, 'mandate pair'), '.'),
        openOptions,
      );
    case 'impostor':
      return h(
        'div',
        { class: 'panel warn', role: 'alert' },
        h('h2', {}, `Something else is answering on ${hostOf(state.daemonUrl)} — not your Mandate daemon`),
        h('p', {}, 'Mandate sent it nothing and approvals are paused. Stop the program using that port, then start the daemon:'),
        h('pre', {}, 'npm start'),
        h('p', { class: 'muted' }, c.reason),
      );
    case 'unpaired':
      return h(
        'div',
        { class: 'panel' },
        h('h2', {}, 'Pair with your Mandate daemon'),
        h('p', {}, 'Start the daemon, then type the pairing code it printed into the settings page.'),
        openOptions,
      );
    default:
      return h('div', { class: 'panel' }, h('p', {}, 'Connecting to the Mandate daemon…'));
  }
}
