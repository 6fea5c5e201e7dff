import { type MessageType, type RequestOf, type ResponseOf, messages, reply } from '#shared/protocol.js';
import browser from './browser.js';
import { ExtensionError } from './errors.js';

/** A refusal or failure reported by the service worker, with a stable code for the UI to branch on. */
export class MessagingError extends ExtensionError {
  override name = 'MessagingError';
}

/** Type-checked request to the service worker; resolves with the parsed value or throws MessagingError. */
export async function send<T extends MessageType>(type: T, payload: RequestOf<T>): Promise<ResponseOf<T>> {
  const answer: unknown = await browser.runtime.sendMessage({ type, payload });
  if (answer === undefined) throw new MessagingError('no_reply', 'Mandate’s background worker did not answer; reopen this page.');
  const parsed = reply.safeParse(answer);
  if (!parsed.success) throw new MessagingError('internal', 'Mandate’s background worker answered in an unexpected shape; please report this.');
  if (!parsed.data.ok) throw new MessagingError(parsed.data.error.code, parsed.data.error.message);
  const value = messages[type].response.safeParse(parsed.data.value);
  if (!value.success)
    throw new MessagingError('internal', `Mandate’s background worker answered "${type}" in an unexpected shape; please report this.`, value.error.message);
  return value.data as ResponseOf<T>;
}
