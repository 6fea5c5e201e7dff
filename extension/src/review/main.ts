/**
 * Flow D review page. declarativeNetRequest sends an agent platform's OAuth authorization request here
 * (the original address in the fragment) before the provider receives anything. The person sees what is
 * asked in plain words, may untick scopes and choose how long, then Continue or Block. The service
 * worker re-parses the address itself; nothing on this page is trusted by it.
 */
import { describeDuration } from '../../../shared/src/duration.js';
import type { Policy } from '../../../shared/src/policy.js';
import { isSignInOnly } from '../../../shared/src/scopes/catalog.js';
import { parseAuthorizationRequest, type AuthorizationRequest } from '../intercept/authorization-request.js';
import browser from '../lib/browser.js';
import { send } from '../lib/messaging.js';
import { $, h, replaceChildren } from '../ui/dom.js';
import { durationPicker } from '../ui/duration-picker.js';
import { overallRisk, riskPill, scopeChoices } from '../ui/scopes.js';

const HOUR = 3600;
const DAY = 86400;
const PRESETS = [15 * 60, HOUR, 8 * HOUR, DAY, 7 * DAY, 30 * DAY];
const SIGN_IN_SECONDS = HOUR;
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
      : h('dd', { class: r.pkce === 'plain' ? 'warn' : 'bad' }, r.pkce === 'plain' ? 'Weak (plain): the code could be replayed' : 'No: an intercepted code could be used by someone else');
  const details = r.authorizationDetails;
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Agent platform'),
    h('dd', {}, `${r.platform.label} (returns to ${r.redirectUri.host})`),
    h('dt', {}, 'Provider'),
    h('dd', {}, r.provider),
    h('dt', {}, 'App (client_id)'),
    h('dd', {}, h('code', {}, r.clientId)),
    h('dt', {}, 'Resource'),
    h('dd', {}, r.resources.length ? r.resources.join(', ') : 'Not named'),
    h('dt', {}, 'PKCE'),
    pkce,
    ...(details
      ? [
          h('dt', {}, 'Details'),
          h('dd', {}, h('pre', { class: 'details' }, details.parsed === undefined ? `Not valid JSON: ${details.raw.slice(0, 2000)}` : JSON.stringify(details.parsed, null, 2).slice(0, 4000))),
        ]
      : []),
  );
}

async function decide(raw: string, decision: 'continue' | 'block', scope: string[], seconds: number): Promise<void> {
  const res = await send('intercept.decide', { url: raw, decision, scope, expires_in: seconds });
  if (res.status === 'blocked') notice('Blocked', 'Nothing was sent to the provider. You can close this tab.');
}

function review(raw: string, r: AuthorizationRequest, policy: Policy): void {
  const error = h('p', { class: 'hint', role: 'alert' });
  const continueBtn = h('button', { type: 'button', class: 'primary' }, 'Continue');
  const blockBtn = h('button', { type: 'button', class: 'danger' }, 'Block');
  const choices = scopeChoices(
    r.scopes,
    () => {
      continueBtn.disabled = r.scopes.length > 0 && choices.chosen().length === 0;
    },
    { blocked: policy.blockedScopes ?? [] },
  );
  const cap = policy.maxDelegationMinutes === undefined ? undefined : policy.maxDelegationMinutes * 60;
  const duration = durationPicker(30 * DAY, { presets: PRESETS, initial: HOUR, ...(cap !== undefined ? { cap } : {}) });
  const busy = (on: boolean) => {
    continueBtn.disabled = on;
    blockBtn.disabled = on;
  };
  continueBtn.addEventListener('click', async () => {
    const seconds = duration.seconds();
    if (seconds === undefined) return void (error.textContent = 'Choose a shorter duration.');
    busy(true);
    error.textContent = '';
    try {
      await decide(raw, 'continue', choices.chosen(), seconds);
    } catch (e) {
      error.textContent = `Not sent: ${(e as Error).message}`;
      busy(false);
    }
  });
  blockBtn.addEventListener('click', async () => {
    busy(true);
    try {
      await decide(raw, 'block', [], HOUR);
    } catch (e) {
      error.textContent = `Could not record the block (nothing was sent anyway): ${(e as Error).message}`;
      busy(false);
    }
  });
  const risk = overallRisk(r.scopes);
  replaceChildren(
    main,
    h(
      'div',
      { class: 'card' },
      brand(),
      h('h1', {}, `${r.platform.label} wants access to your ${r.provider} account`),
      h('p', { class: 'lead' }, 'Nothing has been sent yet. Choose what it may do and for how long.'),
      facts(r),
      h('h2', {}, `Permissions asked (${r.scopes.length}) `, r.scopes.length ? riskPill(risk) : null),
      r.scopes.length ? choices.element : h('p', { class: 'warn' }, 'No scope named: the provider decides what it grants by default.'),
      duration.element,
      h('p', { class: 'lead' }, 'Mandate reminds you when this time is up and takes you to the page where the provider removes the access.'),
      error,
      h('div', { class: 'actions' }, blockBtn, continueBtn),
    ),
  );
}

async function run(): Promise<void> {
  if (window.top !== window) return; // never inside a frame: no clickjacking of Continue
  // the original address, exactly as declarativeNetRequest wrote it after "#" (not decoded: its own
  // percent-encoding must survive, or an encoded "&" inside a value would split parameters)
  const raw = location.hash.slice(1);
  const [settings, state] = await Promise.all([send('settings.get', {}), send('state.get', {})]);
  const parsed = parseAuthorizationRequest(raw, [...settings.patterns, ...settings.orgPatterns]);
  if (parsed.kind === 'not-agent-oauth') {
    notice('Continuing', 'This is not an agent’s authorization request; loading it as it was.');
    await send('intercept.pass', { url: raw });
    return;
  }
  if (parsed.kind === 'refused') {
    notice('Mandate stopped this request', `It was not sent: ${parsed.reason}.`, 'bad');
    return;
  }
  const r = parsed.request;
  if (isSignInOnly(r.scopes)) {
    notice('Sign-in only', `${r.platform.label} asks only to know who you are at ${r.provider} (${r.scopes.join(', ')}). Continuing; recorded for ${describeDuration(SIGN_IN_SECONDS)}.`);
    await decide(raw, 'continue', r.scopes, SIGN_IN_SECONDS);
    return;
  }
  review(raw, r, state.policy);
}

run().catch((e: unknown) => notice('Something went wrong', `Nothing was sent. ${(e as Error).message}`, 'bad'));
