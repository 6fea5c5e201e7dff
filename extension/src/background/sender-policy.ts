import type { Runtime } from '../lib/browser.js';

export type SenderKind = 'extension-page' | 'content-script' | 'foreign';

/**
 * Classifies a message sender from browser-set fields only. An extension page is our own origin
 * (popup, options, activity, review); a content script runs in a web page's tab; anything else —
 * another extension, a web page via externally_connectable — is foreign. There is no silent pass path.
 */
export function classifySender(sender: Runtime.MessageSender, runtimeId: string, extensionOrigin: string): SenderKind {
  if (sender.id !== runtimeId) return 'foreign';
  const url = sender.url ?? '';
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return 'foreign';
  }
  if (origin === extensionOrigin) return 'extension-page';
  if (sender.tab !== undefined) return 'content-script';
  return 'foreign';
}

/** What each kind of sender may ask for. Content scripts may only report (flow E); they never approve. */
const ALLOWED: Record<SenderKind, ReadonlySet<string>> = {
  'extension-page': new Set([
    'state.get',
    'settings.setDaemonUrl',
    'pair',
    'unpair',
    'requests.approve',
    'requests.deny',
    'grants.revoke',
    'grants.revokeAll',
    'audit.query',
    'audit.verify',
  ]),
  'content-script': new Set(),
  foreign: new Set(),
};

export function mayCall(kind: SenderKind, type: string): boolean {
  return ALLOWED[kind].has(type);
}
