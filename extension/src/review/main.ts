/**
 * Flow D review page. The static network rules send every OAuth-shaped page load here before the provider
 * receives anything. The page asks the service worker what this tab tried to load (the worker observed it
 * itself; this page's own address says nothing), shows it in plain words, and the person decides on
 * exactly that request: untick scopes, choose how long, then Continue or Block.
 */
import '../lib/zod-jitless.js';
import { publicMessage } from '#shared/errors.js';
import type { Policy } from '#shared/policy.js';
import type { InterceptOpened } from '#shared/protocol.js';
import { HIDDEN_TEXT, parseAuthorizationRequest, type AuthorizationRequest } from '../intercept/authorization-request.js';
import browser from '../lib/browser.js';
import { send } from '../lib/messaging.js';
import { $, h, replaceChildren } from '../ui/dom.js';
import { authorizationDetailsView } from '../ui/authorization-details.js';
import { durationPicker } from '../ui/duration-picker.js';
import { overallRisk, riskPill, scopeChoices } from '../ui/scopes.js';
import { armWhenSeen } from './arm.js';

const HOUR = 3600;
const DAY = 86400;
const PRESETS = [15 * 60, HOUR, 8 * HOUR, DAY, 7 * DAY, 30 * DAY];
const main = $('#main');

function brand(): HTMLElement {
  return h('div', { class: 'brand' }, h('img', { src: browser.runtime.getURL('icons/icon-48.png'), alt: '' }), 'Mandate');
}

function notice(title: string, text: string, kind: '' | 'bad' = ''): void {
  replaceChildren(main, h('div', { class: 'card' }, brand(), h('h1', {}, title), h('p', { class: `notice ${kind}` }, text)));
}

function facts(r: AuthorizationRequest): HTMLElement {
  const pkce =
    r.pkce === 'S256'
      ? h('dd', {}, 'Yes (S256)')
      : h(
          'dd',
          { class: r.pkce === 'plain' ? 'warn' : 'bad' },
          r.pkce === 'plain' ? 'Weak (plain): the code could be replayed' : 'No: an intercepted code could be used by someone else',
        );
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Agent platform'),
    r.platform && r.redirectUri
      ? h(
          'dd',
          {},
          `${r.platform.label} (returns to ${r.redirectUri.protocol === 'http:' || r.redirectUri.protocol === 'https:' ? r.redirectUri.host : r.redirectUri.href})`,
        )
      : h('dd', { class: 'warn' }, 'Unknown: the request does not show where it returns'),
    h('dt', {}, 'Provider'),
    h('dd', {}, r.provider),
    h('dt', {}, 'App (client_id)'),
    h('dd', {}, h('code', {}, r.clientId)),
    h('dt', {}, 'Resource'),
    h('dd', {}, r.resources.length ? r.resources.join(', ') : 'Not named'),
    h('dt', {}, 'PKCE'),
    pkce,
  );
}

/** authorization_details in plain words; when they cannot be shown in full, the request cannot be continued. */
function details(r: AuthorizationRequest): { element: HTMLElement | null; showable: boolean } {
  const d = r.authorizationDetails;
  if (!d) return { element: null, showable: true };
  const element = authorizationDetailsView(d.parsed, d.raw);
  return { element, showable: element.dataset.showable === 'true' };
}

function hiddenWarning(r: AuthorizationRequest): HTMLElement | null {
  if (r.hidden)
    return h(
      'p',
      { class: 'notice bad', role: 'note' },
      `Mandate cannot see everything this request asks. ${HIDDEN_TEXT[r.hidden]} Continue only if you started this yourself.`,
    );
  if (r.fromRequestObject)
    return h(
      'p',
      { class: 'notice', role: 'note' },
      'The app signed this request, so Mandate shows what it asks but cannot remove a permission from it: continue with all of them, or block it.',
    );
  return null;
}

async function decide(id: string, decision: 'continue' | 'block', scope: string[], seconds: number): Promise<void> {
  const res = await send('intercept.decide', { id, decision, scope, expires_in: seconds });
  if (res.status === 'blocked') notice('Blocked', 'Nothing was sent to the provider. You can close this tab.');
}

function review(id: string, r: AuthorizationRequest, policy: Policy): void {
  const error = h('p', { class: 'hint', role: 'alert' });
  const continueBtn = h('button', { type: 'button', class: 'primary', disabled: true }, 'Continue');
  const blockBtn = h('button', { type: 'button', class: 'danger' }, 'Block');
  let armed = false;
  let busy = false;
  const shownDetails = details(r);
  const refresh = () => {
    continueBtn.disabled = busy || !armed || !shownDetails.showable || (r.scopes.length > 0 && choices.chosen().length === 0);
    blockBtn.disabled = busy;
  };
  const choices = scopeChoices(r.scopes, refresh, { blocked: policy.blockedScopes ?? [], fixed: !r.narrowable });
  const cap = policy.maxDelegationMinutes === undefined ? undefined : policy.maxDelegationMinutes * 60;
  const duration = durationPicker(30 * DAY, { presets: PRESETS, initial: HOUR, ...(cap !== undefined ? { cap } : {}) });
  const setBusy = (on: boolean) => {
    busy = on;
    refresh();
  };
  continueBtn.addEventListener('click', async () => {
    const seconds = duration.seconds();
    if (seconds === undefined) {
      error.textContent = 'Choose a shorter duration.';
      return;
    }
    setBusy(true);
    error.textContent = '';
    try {
      await decide(id, 'continue', choices.chosen(), seconds);
    } catch (e) {
      error.textContent = `Not sent: ${publicMessage(e)}`;
      setBusy(false);
    }
  });
  blockBtn.addEventListener('click', async () => {
    setBusy(true);
    try {
      await decide(id, 'block', [], HOUR);
    } catch (e) {
      error.textContent = `Could not record the block (nothing was sent anyway): ${publicMessage(e)}`;
      setBusy(false);
    }
  });
  const risk = overallRisk(r.scopes);
  const who = r.platform?.label ?? 'An app';
  replaceChildren(
    main,
    h(
      'div',
      { class: 'card' },
      brand(),
      h('h1', {}, `${who} wants access to your ${r.provider} account`),
      h('p', { class: 'lead' }, 'Nothing has been sent yet. Choose what it may do and for how long.'),
      hiddenWarning(r),
      facts(r),
      shownDetails.element,
      h('h2', {}, `Permissions asked (${r.scopes.length}) `, r.scopes.length ? riskPill(risk) : null),
      r.scopes.length
        ? choices.element
        : h('p', { class: 'warn' }, r.hidden ? 'Not visible to Mandate.' : 'No scope named: the provider decides what it grants by default.'),
      duration.element,
      h('p', { class: 'lead' }, 'Mandate reminds you when this time is up and takes you to the page where the provider removes the access.'),
      error,
      h('div', { class: 'actions' }, blockBtn, continueBtn),
    ),
  );
  // Continue works only once this page has been in front of the person for a moment: a page that swaps
  // this tab in under their cursor gets no click.
  armWhenSeen(document, (on) => {
    armed = on;
    refresh();
  });
}

/** A form POST: its parameters travel in the body, which Mandate cannot see. Blocked, and recorded. */
async function blockedForm(id: string, url: string): Promise<void> {
  const target = new URL(url);
  let recorded = 'It is recorded in Mandate’s activity.';
  try {
    await send('intercept.decide', { id, decision: 'block', scope: [], expires_in: HOUR });
  } catch (e) {
    recorded = `It could not be recorded (${publicMessage(e)}).`;
  }
  notice(
    'Mandate stopped a hidden authorization request',
    `Another site tried to send a form to ${target.host}${target.pathname}, an authorization endpoint. Mandate cannot see what a form asks, so nothing was sent. ${recorded} If you started this, ask the app to open the provider’s page as a normal link, which Mandate can show you.`,
    'bad',
  );
}

/** The worker may still be noting the navigation when this page asks: ask again for a moment. */
async function opened(via: 'get' | 'post'): Promise<InterceptOpened> {
  for (let attempt = 0; ; attempt++) {
    const o = await send('intercept.open', { via });
    if (o.action !== 'none' || attempt >= 10) return o;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(): Promise<void> {
  const framed = window.top !== window;
  const via = new URLSearchParams(location.search).get('via') === 'post' ? 'post' : 'get';
  const o = await opened(via);
  if (framed) {
    // never anything to click inside a frame (clickjacking); a load that is not an agent's request goes on
    if (o.action === 'load') location.replace(o.url);
    return;
  }
  switch (o.action) {
    case 'none':
      return notice('Nothing to review', 'Mandate shows here the authorization requests it stopped in this tab. There is none now.');
    case 'load':
      return notice('Continuing', 'This is not an agent’s authorization request; loading it as it was.');
    case 'continued':
      return notice('Continuing', `Recorded in Mandate and sent on: ${o.reason}.`);
    case 'refused':
      return notice('Mandate stopped this request', `It was not sent: ${o.reason}.`, 'bad');
    case 'blocked':
      return notice('Mandate stopped this request', `It was not sent: ${o.reason}.`, 'bad');
    case 'post':
      return blockedForm(o.id, o.url);
    case 'review': {
      const [settings, state] = await Promise.all([send('settings.get', {}), send('state.get', {})]);
      const parsed = parseAuthorizationRequest(o.url, [...settings.patterns, ...settings.orgPatterns]);
      if (parsed.kind !== 'request') return notice('Mandate stopped this request', 'It was not sent: it changed while Mandate read it.', 'bad');
      return review(o.id, parsed.request, state.policy);
    }
  }
}

run().catch((e: unknown) => {
  if (window.top !== window) return;
  notice('Something went wrong', `Nothing was sent. ${publicMessage(e)}`, 'bad');
});
