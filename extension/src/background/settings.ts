import { DEFAULT_DAEMON_URL, daemonUrl, settings, type Settings, type SettingsView } from '#shared/protocol.js';
import { readManagedPolicy } from './managed-policy.js';
import browser from '../lib/browser.js';

const URL_KEY = 'daemonUrl';
const SETTINGS_KEY = 'settings';

/** Non-secret settings in storage.local. The credential is not here (see credential-store.ts). */
export async function getDaemonUrl(): Promise<string> {
  const org = daemonUrl.safeParse((await readManagedPolicy()).daemonUrl);
  if (org.success) return org.data; // set by the organisation: wins over the person's choice
  const stored = (await browser.storage.local.get(URL_KEY))[URL_KEY];
  const parsed = daemonUrl.safeParse(stored);
  return parsed.success ? parsed.data : DEFAULT_DAEMON_URL;
}

export async function setDaemonUrl(url: string): Promise<void> {
  await browser.storage.local.set({ [URL_KEY]: daemonUrl.parse(url) });
}

const DEFAULTS: Settings = { patterns: [], disableAlwaysAllow: false };

/** The person's settings (extra agent-platform patterns, in-chat policy). */
export async function getSettings(): Promise<Settings> {
  const parsed = settings.safeParse((await browser.storage.local.get(SETTINGS_KEY))[SETTINGS_KEY]);
  return parsed.success ? parsed.data : DEFAULTS;
}

export async function updateSettings(change: Partial<Settings>): Promise<Settings> {
  const next = { ...(await getSettings()), ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) } as Settings;
  await browser.storage.local.set({ [SETTINGS_KEY]: settings.parse(next) });
  return next;
}

/** Settings in force: the person's, plus the organisation's platforms and in-chat rule. */
export async function effectiveSettings(): Promise<SettingsView> {
  const [mine, org] = await Promise.all([getSettings(), readManagedPolicy()]);
  return { ...mine, orgPatterns: org.agentPlatforms ?? [], orgDisableAlwaysAllow: org.disableAlwaysAllow === true };
}
