/** The daemon's revocation feed (GET /revocations): who may read it, what each reader sees, exact resume. */
import { describe, expect, it } from 'vitest';
import { CAL, basic } from '../harness.js';
import { readFeed, rsAuth, world } from './support.js';

const grantEvents = (events: { event: string; data: string }[]) =>
  events.filter((e) => e.event === 'grant').map((e) => JSON.parse(e.data) as { grant_id: string; status: string });

describe('GET /revocations (must-reject)', () => {
  it('without client authentication → 401 invalid_client', async () => {
    const w = await world();
    const res = await fetch(`${w.d.url}/revocations`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('an agent (not a resource server) → 403 unauthorized_client', async () => {
    const w = await world();
    const res = await fetch(`${w.d.url}/revocations`, { headers: { authorization: basic(w.agent.client_id, w.agent.client_secret) } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'unauthorized_client' });
  });

  it('a wrong resource-server secret → 401 invalid_client', async () => {
    const w = await world();
    const res = await fetch(`${w.d.url}/revocations`, { headers: { authorization: basic(w.rs.client_id, 'nope') } });
    expect(res.status).toBe(401);
  });

  it('a Last-Event-ID that this feed never sent → 400 invalid_request', async () => {
    const w = await world();
    const res = await fetch(`${w.d.url}/revocations`, { headers: { authorization: rsAuth(w.rs), 'last-event-id': 'abc' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('what a resource server sees', () => {
  it('only endings of grants for its own audience (cross-audience events never reach it)', async () => {
    const w = await world();
    const cal = await w.d.registerAgent({ name: 'Calendar API', kind: 'resource_server', resources: [CAL] });
    const mail = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const calGrant = await w.d.approvedToken(w.agent, { scope: 'calendar.read' });
    // the calendar grant's request used the default MAIL resource: make one for CAL explicitly
    const calReq = await w.d.request(w.agent, { scope: 'calendar.read', resource: CAL });
    const approved = (await (await w.d.admin('POST', `/requests/${encodeURIComponent(calReq)}/approve`, {})).json()) as { id: string };
    for (const id of [mail.grantId, calGrant.grantId, approved.id]) expect((await w.d.admin('POST', `/grants/${id}/revoke`, {})).status).toBe(200);

    const forMail = await readFeed(w.d, { authorization: rsAuth(w.rs) }, (ev) => ev.some((e) => e.event === 'ready'));
    expect(grantEvents(forMail.events).map((e) => e.grant_id)).toEqual([mail.grantId, calGrant.grantId]); // both were for MAIL
    const forCal = await readFeed(w.d, { authorization: basic(cal.client_id, cal.client_secret) }, (ev) => ev.some((e) => e.event === 'ready'));
    expect(grantEvents(forCal.events)).toEqual([{ grant_id: approved.id, status: 'revoked', at: w.d.clock() }]);
  });

  it('Last-Event-ID resumes exactly after the given sequence; ready carries the current one', async () => {
    const w = await world();
    const g1 = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const g2 = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const g3 = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    await w.d.admin('POST', `/grants/${g1.grantId}/revoke`, {});
    await w.d.form('/revoke', { token: g2.token }, { id: w.agent.client_id, secret: w.agent.client_secret }); // agent ends its task
    const first = await readFeed(w.d, { authorization: rsAuth(w.rs) }, (ev) => ev.some((e) => e.event === 'ready'));
    const firstGrants = first.events.filter((e) => e.event === 'grant');
    expect(grantEvents(first.events).map((e) => [e.grant_id, e.status])).toEqual([
      [g1.grantId, 'revoked'],
      [g2.grantId, 'ended'],
    ]);
    const ready = first.events.find((e) => e.event === 'ready')!;
    expect(JSON.parse(ready.data)).toEqual({ seq: Number(firstGrants[1]!.id) });

    await w.d.admin('POST', `/grants/${g3.grantId}/revoke`, {});
    const resumed = await readFeed(w.d, { authorization: rsAuth(w.rs), 'last-event-id': firstGrants[0]!.id! }, (ev) => ev.some((e) => e.event === 'ready'));
    expect(grantEvents(resumed.events).map((e) => e.grant_id)).toEqual([g2.grantId, g3.grantId]);
  });

  it('pushes an ending live, with an expiry from the sweep as well as a revoke', async () => {
    const w = await world();
    const g1 = await w.d.approvedToken(w.agent, { scope: 'mail.read', approve: { expires_in: 600 } });
    const g2 = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const live = readFeed(w.d, { authorization: rsAuth(w.rs) }, (ev) => grantEvents(ev).length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    await w.d.admin('POST', `/grants/${g2.grantId}/revoke`, {});
    w.d.clock.advance(601);
    w.d.sweep();
    const { events } = await live;
    expect(grantEvents(events).map((e) => [e.grant_id, e.status])).toEqual([
      [g2.grantId, 'revoked'],
      [g1.grantId, 'expired'],
    ]);
  });
});
