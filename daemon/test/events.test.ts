import { describe, expect, it } from 'vitest';
import { daemonEvent, type DaemonEvent } from '#shared/admin-api.js';
import { sseParser } from '#shared/sse.js';
import { startTestDaemon } from './harness.js';

/** Reads SSE frames from a streaming response until `count` events of interest have arrived. */
async function collect(res: Response, count: number): Promise<DaemonEvent[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: DaemonEvent[] = [];
  const parser = sseParser((f) => {
    if (f.event !== 'ready') events.push(daemonEvent.parse(JSON.parse(f.data)));
  });
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  await reader.cancel();
  return events;
}

describe('live updates (SSE)', () => {
  it('streams grant and audit events after each committed change, only to authenticated callers', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const unauth = await fetch(d.api.url('events'));
    expect(unauth.status).toBe(401);

    const res = await d.admin('GET', '/events');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const received = collect(res, 4);
    const authReqId = await d.request(agent);
    await d.admin('POST', `/requests/${authReqId}/approve`, { scope: ['mail.read'] });
    const events = await received;
    expect(events.filter((e) => e.type === 'grant').map((e) => (e.type === 'grant' ? e.status : ''))).toEqual(['pending', 'approved']);
    expect(events.filter((e) => e.type === 'audit')).toHaveLength(2);
  });
});
