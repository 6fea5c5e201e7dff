import { type SenderKind, senderMay } from '#shared/protocol.js';
import type { Runtime } from '../lib/browser.js';

export type { SenderKind };

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

/**
 * What each kind of sender may ask for, as each message declares it (`senders` in shared/src/protocol.ts).
 * Content scripts may only report (flow E); they never approve. Foreign senders get nothing.
 */
export function mayCall(kind: SenderKind, type: string): boolean {
  return senderMay(kind, type);
}
