import { DEFAULT_DAEMON_URL, daemonUrl } from '../../../shared/src/protocol.js';
import browser from '../lib/browser.js';

const KEY = 'daemonUrl';

/** Non-secret settings in storage.local. The credential is not here (see credential-store.ts). */
export async function getDaemonUrl(): Promise<string> {
  const stored = (await browser.storage.local.get(KEY))[KEY];
  const parsed = daemonUrl.safeParse(stored);
  return parsed.success ? parsed.data : DEFAULT_DAEMON_URL;
}

export async function setDaemonUrl(url: string): Promise<void> {
  await browser.storage.local.set({ [KEY]: daemonUrl.parse(url) });
}
