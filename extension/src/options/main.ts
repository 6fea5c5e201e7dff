import '../lib/zod-jitless.js';
import { publicMessage } from '#shared/errors.js';
import { STATE_PORT, extensionState, type ExtensionState } from '#shared/protocol.js';
import type { Policy } from '#shared/policy.js';
import browser from '../lib/browser.js';
import { send } from '../lib/messaging.js';
import { connectionBadge } from '../ui/connection.js';
import { PATTERN_RE, refusedPatterns } from '../intercept/platforms.js';
import { $, h, replaceChildren } from '../ui/dom.js';

const form = $('#pair-form') as HTMLFormElement;
const urlInput = $('#daemon-url') as HTMLInputElement;
const codeInput = $('#pairing-code') as HTMLInputElement;
const status = $('#pair-status');
let urlTouched = false;
urlInput.addEventListener('input', () => (urlTouched = true));

function say(message: string, kind: 'ok' | 'error' | '' = ''): void {
  status.textContent = message;
  status.className = kind;
}

/** A label for every policy key: a key added to the schema without one does not compile. */
const POLICY_LABELS: Record<keyof Policy, string> = {
  maxDelegationMinutes: 'Longest delegation (minutes)',
  blockedScopes: 'Blocked scopes',
  alwaysAskScopes: 'Scopes asked each time',
  allowedAgents: 'Only these agents',
  blockedAgents: 'Blocked agents',
  agentPlatforms: 'Extra agent platforms',
  disableAlwaysAllow: '“Always allow” on chat cards',
  selectorOverrides: 'Chat card selectors',
  daemonUrl: 'Daemon URL',
  auditExport: 'Audit export',
  allowClientRegistration: 'MCP client registration',
};

function showPolicy(policy: ExtensionState['policy']): void {
  const entries = Object.entries(policy);
  $('#policy').hidden = entries.length === 0;
  const value = (k: string, v: unknown): string => {
    if (k === 'disableAlwaysAllow') return v ? 'Disabled' : 'Allowed';
    if (k === 'allowClientRegistration') return v ? 'Allowed' : 'Turned off';
    if (k === 'auditExport' && v && typeof v === 'object' && 'otlpEndpoint' in v) return `to ${String(v.otlpEndpoint)}`;
    if (Array.isArray(v)) return v.join(', ') || '(none)';
    if (v && typeof v === 'object') return Object.keys(v).join(', ');
    return String(v);
  };
  replaceChildren(
    $('#policy-list'),
    ...entries.flatMap(([k, v]) => [h('dt', {}, k in POLICY_LABELS ? POLICY_LABELS[k as keyof Policy] : k), h('dd', {}, value(k, v))]),
  );
  const orgUrl = typeof policy.daemonUrl === 'string';
  urlInput.readOnly = orgUrl;
  urlInput.title = orgUrl ? 'Set by your organisation' : '';
}

function render(state: ExtensionState): void {
  showPolicy(state.policy);
  replaceChildren($('#connection'), connectionBadge(state.connection));
  if (!urlTouched) urlInput.value = state.daemonUrl;
  const paired = state.connection.state === 'online' || state.connection.state === 'offline';
  $('#paired').hidden = !paired;
  if (state.connection.state === 'online') {
    $('#paired-detail').textContent = `Connected to ${state.daemonUrl}, acting for ${state.connection.person} (daemon ${state.connection.version}).`;
  } else if (state.connection.state === 'offline') {
    $('#paired-detail').textContent = `Paired with ${state.daemonUrl}, but the daemon is not running. Start it with npm start; Mandate reconnects by itself.`;
  }
  if (state.connection.state === 'impostor') say(state.connection.reason, 'error');
  if (state.connection.state === 'rejected') say(`The daemon rejected this browser’s pairing: ${state.connection.reason}. Pair again.`, 'error');
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const code = codeInput.value.trim();
  if (!code) return say('Type the pairing code the daemon printed.', 'error');
  say('Pairing…');
  try {
    const state = await send('pair', { code, daemonUrl: urlInput.value });
    codeInput.value = '';
    urlTouched = false;
    render(state);
    say(
      state.connection.state === 'online'
        ? `Paired. Mandate now watches over ${state.connection.person}’s agents.`
        : 'Paired, but the daemon is not answering right now.',
      'ok',
    );
  } catch (err) {
    say(`Pairing failed: ${publicMessage(err)}`, 'error');
  }
});

$('#save-url').addEventListener('click', async () => {
  try {
    render(await send('settings.setDaemonUrl', { daemonUrl: urlInput.value }));
    urlTouched = false;
    say('Daemon URL saved.', 'ok');
  } catch (err) {
    say(`Not saved: ${publicMessage(err)}`, 'error');
  }
});

$('#unpair').addEventListener('click', async () => {
  render(await send('unpair', {}));
  say('This browser is no longer paired.', 'ok');
});

const port = browser.runtime.connect({ name: STATE_PORT });
port.onMessage.addListener((m: unknown) => {
  const parsed = extensionState.safeParse(m);
  if (parsed.success) render(parsed.data);
});

const patterns = $('#patterns') as HTMLTextAreaElement;
const disableAlways = $('#disable-always') as HTMLInputElement;
const settingsStatus = $('#settings-status');

async function loadSettings(): Promise<void> {
  try {
    const s = await send('settings.get', {});
    patterns.value = s.patterns.join('\n');
    disableAlways.checked = s.disableAlwaysAllow || s.orgDisableAlwaysAllow;
    disableAlways.disabled = s.orgDisableAlwaysAllow;
    if (s.orgDisableAlwaysAllow) disableAlways.title = 'Set by your organisation';
    const refused = refusedPatterns(s.orgPatterns);
    if (refused.length > 0) {
      settingsStatus.textContent = `Your organisation’s agent platform patterns not in force (not an http(s) address pattern): ${refused.join(', ')}`;
      settingsStatus.className = 'error';
    }
  } catch (err) {
    settingsStatus.textContent = `Settings not loaded: ${publicMessage(err)}`;
  }
}

async function saveSettings(): Promise<void> {
  const list = patterns.value
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const bad = list.filter((l) => !PATTERN_RE.test(l));
  if (bad.length > 0) {
    settingsStatus.textContent = `Not saved: ${bad[0]} is not an http(s) address pattern like https://agents.example.com/oauth/*`;
    settingsStatus.className = 'error';
    return;
  }
  try {
    await send('settings.update', { patterns: list, disableAlwaysAllow: disableAlways.checked });
    settingsStatus.textContent = 'Saved.';
    settingsStatus.className = 'ok';
  } catch (err) {
    settingsStatus.textContent = `Not saved: ${publicMessage(err)}`;
    settingsStatus.className = 'error';
  }
}

$('#save-settings').addEventListener('click', () => void saveSettings());
disableAlways.addEventListener('change', () => void saveSettings());
void loadSettings();
