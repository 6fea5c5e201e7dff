/**
 * The same-tab decision for an MCP client's /authorize request: the service worker opens this page in the tab
 * that waits on the daemon, with the grant id and the waiting URL. It shows the very card of the popup
 * (popup/pending.ts); after Approve or Deny the tab goes back to the daemon's waiting URL, which sends it on to
 * the client with a code (or access_denied). Only the paired daemon's waiting page is ever a way back.
 */
import '../lib/zod-jitless.js';
import { publicMessage } from '#shared/errors.js';
import { daemonWaitingGrant } from '../lib/daemon-pages.js';
import { send } from '../lib/messaging.js';
import { pendingItem, type Notify } from '../popup/pending.js';
import { $, h, replaceChildren } from '../ui/dom.js';

const main = $('#main');
const status = $('#status');
const params = new URLSearchParams(location.search);
const grantId = params.get('grant') ?? '';
const back = params.get('back') ?? '';

function say(title: string, text: string): void {
  replaceChildren(main, h('h1', {}, title), h('p', {}, text));
}

async function show(): Promise<void> {
  const state = await send('state.get', {});
  if (daemonWaitingGrant(state.daemonUrl, back) !== grantId) {
    say('Nothing to decide here', 'This page was not opened for a request of your Mandate daemon.');
    return;
  }
  const g = state.pending.find((p) => p.id === grantId);
  if (!g) {
    say('This request is already decided', 'Return to the app, or start again from it.');
    return;
  }
  const notify: Notify = (message, kind = 'ok') => {
    status.textContent = message;
    status.className = `toast ${kind}`;
    if (kind === 'ok') location.replace(back);
  };
  replaceChildren(main, h('h1', {}, 'An app asks for access'), h('ul', { class: 'pending' }, pendingItem(g, notify, state.policy)));
}

show().catch((e: unknown) => say('Mandate could not load this request', publicMessage(e)));
