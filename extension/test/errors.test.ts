/**
 * One error model in the extension: every error it surfaces is a MandateError with a reply code, the worker
 * sends exactly that code across messaging, and anything else is reported as a bug with a hint to report it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { MandateError, publicMessage, UNEXPECTED } from '#shared/errors.js';
import { REPLY_ERROR_CODES, type ReplyErrorCode } from '#shared/protocol.js';

vi.mock('../src/lib/browser.js', () => import('./support/fake-browser.js'));

const { DaemonError, callDaemon } = await import('../src/background/daemon-client.js');
const { InterceptError } = await import('../src/background/intercept.js');
const { ExtensionError, errorReply } = await import('../src/lib/errors.js');
const { MessagingError, send } = await import('../src/lib/messaging.js');
const fake = await import('./support/fake-browser.js');

const DAEMON = 'http://127.0.0.1:7457';
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
  fake.default.runtime.sendMessage = async () => undefined;
});

describe('the extension’s error classes', () => {
  const samples = [
    new DaemonError('refused', 'not_found', 'no such grant'),
    new InterceptError('invalid_scope', 'not requested: x'),
    new MessagingError('no_reply', 'the worker did not answer'),
  ];

  it.each(samples.map((e) => [e.name, e] as const))('%s is an ExtensionError on the shared MandateError base, with a reply code', (_, e) => {
    expect(e).toBeInstanceOf(ExtensionError);
    expect(e).toBeInstanceOf(MandateError);
    expect(REPLY_ERROR_CODES).toContain(e.code);
    expectTypeOf(e.code).toEqualTypeOf<ReplyErrorCode>();
  });

  it('every error class declared in extension/src extends ExtensionError or one of its subclasses', () => {
    const root = join(import.meta.dirname, '../src');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const declared = files.flatMap((f) =>
      [...readFileSync(join(root, f), 'utf8').matchAll(/class (\w+) extends (\w+)/g)].map((m) => ({ file: f, name: m[1], base: m[2] })),
    );
    const errors = declared.filter((d) => d.name?.endsWith('Error'));
    expect(errors.map((d) => d.name).sort()).toEqual(['DaemonError', 'ExtensionError', 'InterceptError', 'MessagingError']);
    const ours = new Set(['MandateError', 'ExtensionError']);
    for (const d of errors) expect(ours.has(d.base ?? ''), `${d.file}: ${d.name} extends ${d.base}`).toBe(true);
    expect(errors.filter((d) => d.base === 'MandateError').map((d) => d.name)).toEqual(['ExtensionError']);
  });
});

describe('the worker’s reply for a caught error', () => {
  it('passes an ExtensionError’s code and public message on, never its detail', () => {
    const reply = errorReply(new DaemonError('refused', 'invalid_scope', 'blocked by policy', 'internal detail'));
    expect(reply).toEqual({ ok: false, error: { code: 'invalid_scope', message: 'blocked by policy' } });
  });

  it.each([
    ['a TypeError', new TypeError('cannot read properties of undefined')],
    ['a RangeError', new RangeError('Invalid time value')],
    ['a thrown string', 'boom'],
    ['a MandateError of the CLI', new MandateError('usage', 'bad flag')],
  ])('reports %s as internal, plainly, with a hint to report it', (_, e) => {
    const reply = errorReply(e);
    expect(reply.error.code).toBe('internal');
    expect(reply.error.message).toContain(UNEXPECTED);
    expect(reply.error.message).toMatch(/please report it/);
  });
});

describe('what a page shows for a caught error', () => {
  it('a MandateError: its public message only', () => {
    expect(publicMessage(new MessagingError('forbidden', 'not from here', 'SECRET'))).toBe('not from here');
  });
  it('anything else: says it is unexpected and asks for a report, with the error’s own words', () => {
    const text = publicMessage(new RangeError('Invalid time value'));
    expect(text).toBe(`${UNEXPECTED} (Invalid time value).`);
  });
});

describe('send(): every failure a page sees is a MessagingError with a reply code', () => {
  const answer = (value: unknown) => {
    fake.default.runtime.sendMessage = async () => value;
  };
  const failure = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(MessagingError);
    return e instanceof MessagingError ? e.code : undefined;
  };

  it('a refusal keeps the worker’s code', async () => {
    answer({ ok: false, error: { code: 'impostor', message: 'not your daemon' } });
    expect(await failure(send('grants.revoke', { id: 'g1' }))).toBe('impostor');
  });
  it('no answer is no_reply', async () => {
    answer(undefined);
    expect(await failure(send('grants.revoke', { id: 'g1' }))).toBe('no_reply');
  });
  it('an answer whose value does not fit the message’s response is internal, not a raw parse error', async () => {
    answer({ ok: true, value: { unexpected: true } });
    expect(await failure(send('state.get', {}))).toBe('internal');
  });
});

describe('callDaemon(): every failure is a DaemonError with a reply code', () => {
  const call = async (fetchImpl: typeof fetch) => {
    vi.stubGlobal('fetch', fetchImpl);
    const e = await callDaemon({ url: DAEMON }, 'grants.revoke', { id: 'g1' }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DaemonError);
    return e instanceof DaemonError ? { kind: e.kind, code: e.code } : undefined;
  };

  it('a daemon refusal with one of our codes keeps it', async () => {
    expect(await call(async () => json(404, { error: 'not_found', error_description: 'no such grant' }))).toEqual({ kind: 'refused', code: 'not_found' });
  });
  it('a refusal with a code outside the contract is bad_response, not the raw code or the status', async () => {
    expect(await call(async () => json(418, { error: 'teapot' }))).toEqual({ kind: 'refused', code: 'bad_response' });
  });
  it('a 401 is rejected', async () => {
    expect(await call(async () => json(401, { error: 'invalid_token' }))).toEqual({ kind: 'rejected', code: 'invalid_token' });
  });
  it('nothing answering is unreachable', async () => {
    expect(
      await call(async () => {
        throw new TypeError('fetch failed');
      }),
    ).toEqual({ kind: 'unreachable', code: 'unreachable' });
  });
});
