import type { Runtime } from '../lib/browser.js';

export type SenderKind = 'extension-page' | 'content-script' | 'foreign';

/**
 * Classifies a message sender from browser-set fields only. An extension page is our own origin
 * (popup, options, activity, review); a content script runs in a web page's tab; anything else —
 * another extension, a web page via externally_connectable — is foreign. There is no silent pass path.
 */
export function classifySender(sender: Runtime.MessageSender, runtimeId: string, extensionBase: string): SenderKind {
  if (sender.id !== runtimeId) return 'foreign';
  // Prefix match on the extension's base URL (ending in "/"): URL.origin is opaque ("null") for
  // extension schemes outside Chrome, and a look-alike host cannot share the trailing slash.
  if (!extensionBase.endsWith('/')) throw new TypeError('extensionBase must end with "/"');
  if ((sender.url ?? '').startsWith(extensionBase)) return 'extension-page';
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
    'grants.toolCalls',
    'settings.get',
    'settings.update',
    'intercept.open',
    'intercept.decide',
    'externals.revoke',
  ]),
  // Content scripts run inside chat pages: they may report what they see and ask what to annotate. Nothing else.
  'content-script': new Set(['content.report', 'content.context']),
  foreign: new Set(),
};

export function mayCall(kind: SenderKind, type: string): boolean {
  return ALLOWED[kind].has(type);
}
