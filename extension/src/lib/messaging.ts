import type { MessageType, Reply, RequestOf, ResponseOf } from '../../../shared/src/protocol.js';
import { responses } from '../../../shared/src/protocol.js';
import browser from './browser.js';

/** A refusal or failure reported by the service worker, with a stable code for the UI to branch on. */
export class MessagingError extends Error {
  override name = 'MessagingError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Type-checked request to the service worker; resolves with the parsed value or throws MessagingError. */
export async function send<T extends MessageType>(type: T, payload: RequestOf<T>): Promise<ResponseOf<T>> {
  const reply = (await browser.runtime.sendMessage({ type, payload })) as Reply<unknown> | undefined;
  if (!reply) throw new MessagingError('no_reply', 'Mandate’s background worker did not answer; reopen this page.');
  if (!reply.ok) throw new MessagingError(reply.error.code, reply.error.message);
  return responses[type].parse(reply.value) as ResponseOf<T>;
}
