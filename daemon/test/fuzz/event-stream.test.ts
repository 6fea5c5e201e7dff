/**
 * The admin event stream (SSE) under reconnects: a client that reconnects with Last-Event-ID, hangs up, or asks
 * with HEAD must not leave a subscription behind (each one holds a listener and queues every event forever).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPath } from '#shared/admin-contract.js';
import { startFuzzTarget, type FuzzTarget } from './target.js';

let t: FuzzTarget;
beforeAll(async () => {
  t = await startFuzzTarget();
});
afterAll(async () => t.close());

const headers = () => ({ host: t.host, authorization: `Bearer ${t.adminToken}` });
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('admin event stream', () => {
  it('HEAD answers with headers only and keeps no subscription', async () => {
    const before = t.openStreams();
    for (let i = 0; i < 5; i++) {
      const res = await t.call('HEAD', adminPath('events'), { headers: headers() });
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    await settle();
    expect(t.openStreams() - before).toBe(0);
  });

  it('over real HTTP, HEAD keeps no subscription either', async () => {
    const before = t.openStreams();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.daemon.url}/admin/events`, { method: 'HEAD', headers: { authorization: `Bearer ${t.adminToken}` } });
      expect(res.status).toBe(200);
    }
    await settle();
    expect(t.openStreams() - before).toBe(0);
  });

  it.each(['0', '42', '-1', 'abc', '9'.repeat(40)])('reconnecting with Last-Event-ID %s opens one stream, closed on hang-up', async (id) => {
    const before = t.openStreams();
    const res = await t.call('GET', adminPath('events'), { headers: { ...headers(), 'last-event-id': id } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: ready');
    expect(t.openStreams() - before).toBe(1);
    await reader.cancel();
    await settle();
    expect(t.openStreams() - before).toBe(0);
  });
});
