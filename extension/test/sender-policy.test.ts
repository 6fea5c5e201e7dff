import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type MessageContract, messages } from '#shared/protocol.js';
import { classifySender, mayCall } from '../src/background/sender-policy.js';

const ID = 'ffgkmgaanieiccjamnkagikpfjiadigm';
const ORIGIN = `chrome-extension://${ID}`;
const tab = { id: 7, index: 0, highlighted: false, active: true, pinned: false, incognito: false };

describe('sender policy', () => {
  it.each([
    ['popup', { id: ID, url: `${ORIGIN}/src/popup/index.html`, origin: ORIGIN }, 'extension-page'],
    ['options page opened in a tab', { id: ID, url: `${ORIGIN}/src/options/index.html`, tab }, 'extension-page'],
    ['content script in chatgpt.com', { id: ID, url: 'https://chatgpt.com/c/1', origin: 'https://chatgpt.com', tab }, 'content-script'],
    ['another extension', { id: 'abcdefghijklmnopabcdefghijklmnop', url: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/x.html' }, 'foreign'],
    ['no id', { url: `${ORIGIN}/src/popup/index.html` }, 'foreign'],
    ['our id, page url without a tab', { id: ID, url: 'https://evil.example/' }, 'foreign'],
    ['our id, unparsable url in a tab', { id: ID, url: 'not a url', tab }, 'content-script'],
    ['our id, no url, no tab', { id: ID }, 'foreign'],
    ['look-alike origin', { id: ID, url: `${ORIGIN}.evil.example/popup`, tab }, 'content-script'],
  ])('%s → %s', (_, sender, kind) => expect(classifySender(sender, ID, `${ORIGIN}/`)).toBe(kind));

  it('lets only extension pages pair, approve, deny or revoke', () => {
    for (const type of ['pair', 'requests.approve', 'requests.deny', 'grants.revoke', 'grants.revokeAll', 'audit.query']) {
      expect(mayCall('extension-page', type)).toBe(true);
      expect(mayCall('content-script', type)).toBe(false);
      expect(mayCall('foreign', type)).toBe(false);
    }
    expect(mayCall('extension-page', '__proto__')).toBe(false);
    expect(mayCall('extension-page', 'constructor')).toBe(false);
  });

  it('follows each message’s declared senders, and nothing else', () => {
    for (const [type, m] of Object.entries(messages)) {
      const senders: readonly string[] = m.senders;
      expect(senders.length, type).toBeGreaterThan(0);
      for (const kind of ['extension-page', 'content-script'] as const) expect(mayCall(kind, type), `${kind} ${type}`).toBe(senders.includes(kind));
      expect(mayCall('foreign', type), type).toBe(false);
    }
    expect(mayCall('content-script', 'content.report')).toBe(true);
    expect(mayCall('extension-page', 'content.report')).toBe(false);
    expect(mayCall('extension-page', 'no.such.message')).toBe(false);
  });

  it('does not compile a message without a sender rule', () => {
    const incomplete = { 'x.y': { request: z.strictObject({}), response: z.object({}) } };
    // @ts-expect-error `senders` is required: a new message cannot be added without saying who may send it
    const contract: Record<string, MessageContract> = incomplete;
    // @ts-expect-error and it names at least one sender
    const empty: MessageContract = { request: z.strictObject({}), response: z.object({}), senders: [] };
    expect([contract, empty]).toHaveLength(2);
  });
});
