/** Faults: the daemon dies mid-stream, the feed is replayed on reconnect, and a forged feed is never trusted. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Verifier } from '../../../kits/resource-server/index.js';
import { MAIL, startTestDaemon } from '../harness.js';
import { type World, codeOf, world } from './support.js';

let current: World | undefined;
const extra: Verifier[] = [];
afterEach(async () => {
  for (const v of [...(current?.verifiers ?? []), ...extra.splice(0)]) await v.close();
  current = undefined;
});

describe('daemon killed mid-stream', () => {
  it('fails closed once the bound has passed, then resumes and refuses what was revoked while it was away', async () => {
    current = await world();
    const w = current;
    const a = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const b = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const c = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    let away = false;
    const gated: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      return away && url.includes('/revocations') ? Promise.reject(new Error('unreachable')) : fetch(input, init);
    };
    const v = w.verifier({ feedTimeoutMs: 300, fetch: gated });
    await v.ready();
    expect(await codeOf(v.verify(c.token))).toBe('accepted'); // keys fetched and cached
    await w.d.admin('POST', `/grants/${a.grantId}/revoke`, {});
    await vi.waitFor(() => expect(v.isDead(a.grantId)).toBe(true), { timeout: 2000, interval: 5 });

    away = true;
    const { port, home, clock } = w.d;
    await w.d.close(); // kill: the stream breaks
    await vi.waitFor(async () => expect(await codeOf(v.verify(b.token))).toBe('unavailable'), { timeout: 3000, interval: 50 });
    expect(await codeOf(v.verify(a.token))).toBe('revoked'); // what it already knew still holds

    const d2 = await startTestDaemon({ home, port, clock });
    await d2.admin('POST', `/grants/${b.grantId}/revoke`, {}); // while the kit is still away
    away = false;
    await v.ready();
    expect(await codeOf(v.verify(b.token))).toBe('revoked');
    expect(await codeOf(v.verify(c.token))).toBe('accepted');
    await d2.dispose();
  });

  it('with whenFeedDown: introspect, a down feed means asking the daemon per call, never accepting blind', async () => {
    current = await world();
    const w = current;
    const a = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const b = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const noFeed: typeof fetch = (input, init) =>
      String(input instanceof Request ? input.url : input).includes('/revocations') ? Promise.reject(new Error('down')) : fetch(input, init);
    const v = w.verifier({ feedTimeoutMs: 50, whenFeedDown: 'introspect', fetch: noFeed });
    await new Promise((r) => setTimeout(r, 100));
    await w.d.admin('POST', `/grants/${a.grantId}/revoke`, {});
    expect(await codeOf(v.verify(a.token))).toBe('revoked');
    expect(await codeOf(v.verify(b.token))).toBe('accepted');
  });
});

describe('forged feed events (must-reject)', () => {
  /** A fetch that serves a forged feed in place of the daemon's (a squatter or a man in the middle). */
  const forging =
    (body: string, type = 'text/event-stream'): typeof fetch =>
    (input, init) =>
      String(input instanceof Request ? input.url : input).includes('/revocations')
        ? Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': type } }))
        : fetch(input, init);

  it.each([
    ['an event that is not JSON', 'event: grant\nid: 1\ndata: {oops\n\n'],
    ['an event with an unknown status', 'event: grant\nid: 1\ndata: {"grant_id":"grt_x","status":"approved","at":1}\n\n'],
    ['an event of an unknown type', 'event: unrevoke\nid: 1\ndata: {"grant_id":"grt_x"}\n\n'],
    ['a malformed ready', 'event: ready\nid: 1\ndata: {"seq":"all"}\n\n'],
  ])('%s: the feed never counts as up and the verifier fails closed', async (_name, body) => {
    current = await world();
    const w = current;
    const { token } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier({ feedTimeoutMs: 200, fetch: forging(body) });
    expect(await codeOf(v.verify(token))).toBe('unavailable');
  });

  it('a feed answered as something other than text/event-stream is refused', async () => {
    current = await world();
    const w = current;
    const { token } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier({ feedTimeoutMs: 200, fetch: forging('event: ready\nid: 9\ndata: {"seq":9}\n\n', 'text/html') });
    expect(await codeOf(v.verify(token))).toBe('unavailable');
  });

  it('the feed is only read from the configured issuer: a verifier for another issuer refuses the token itself', async () => {
    current = await world();
    const w = current;
    const { token } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const other = await startTestDaemon();
    const v = w.verifier({ issuer: other.url, audience: MAIL });
    expect(await codeOf(v.verify(token))).toBe('invalid_token');
  });
});
