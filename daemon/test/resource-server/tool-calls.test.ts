/** Tool-call reports: at least once from the kit, exactly once in the audit, only for the reporter's audiences. */
import { describe, expect, it } from 'vitest';
import { createReporter } from '../../../kits/resource-server/index.js';
import { CAL, basic } from '../harness.js';
import { rsAuth, tempFile, world } from './support.js';

const post = (url: string, authorization: string, body: unknown) =>
  fetch(`${url}/tool-calls`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });

const toolRows = (d: { ctx: { db: import('better-sqlite3').Database } }) =>
  d.ctx.db
    .prepare<[], { type: string; grant_id: string; detail: string }>("SELECT type, grant_id, detail FROM audit WHERE type LIKE 'tool.%' ORDER BY id")
    .all();

describe('POST /tool-calls', () => {
  it('records each call once as tool.called / tool.refused and stamps the grant last use', async () => {
    const w = await world();
    const { grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    w.d.clock.advance(30);
    const calls = [
      { id: 'tc_000000001', tool: 'list_notes', outcome: 'allowed', grant_id: grantId, at: w.d.clock() },
      { id: 'tc_000000002', tool: 'add_note', outcome: 'refused', reason: 'needs notes.write', grant_id: grantId, at: w.d.clock() },
    ];
    const first = await post(w.d.url, rsAuth(w.rs), { calls });
    expect(await first.json()).toEqual({ recorded: 2, duplicates: 0, rejected: [] });
    const again = await post(w.d.url, rsAuth(w.rs), { calls }); // a lost answer: the kit sends again
    expect(await again.json()).toEqual({ recorded: 0, duplicates: 2, rejected: [] });
    const rows = toolRows(w.d);
    expect(rows.map((r) => [r.type, r.grant_id, (JSON.parse(r.detail) as { tool: string }).tool])).toEqual([
      ['tool.called', grantId, 'list_notes'],
      ['tool.refused', grantId, 'add_note'],
    ]);
    expect(w.d.ctx.grants.get(grantId)!.last_used_at).toBe(w.d.clock());
    expect(w.d.ctx.audit.verify()).toMatchObject({ ok: true });
  });

  it('must-reject: calls on a grant of another audience are rejected one by one and never recorded', async () => {
    const w = await world();
    const calReq = await w.d.request(w.agent, { scope: 'calendar.read', resource: CAL });
    const cal = (await (await w.d.admin('POST', `/requests/${encodeURIComponent(calReq)}/approve`, {})).json()) as { id: string };
    const res = await post(w.d.url, rsAuth(w.rs), { calls: [{ id: 'tc_000000009', tool: 'x', outcome: 'allowed', grant_id: cal.id, at: 1 }] });
    expect(await res.json()).toEqual({ recorded: 0, duplicates: 0, rejected: [{ id: 'tc_000000009', error: 'unknown grant for this resource server' }] });
    expect(toolRows(w.d)).toEqual([]);
  });

  it.each([
    ['no authentication', undefined, { calls: [] }, 401, 'invalid_client'],
    ['an agent', 'agent', { calls: [{ id: 'tc_000000001', tool: 't', outcome: 'allowed', grant_id: 'g', at: 1 }] }, 403, 'unauthorized_client'],
    ['an empty batch', 'rs', { calls: [] }, 400, 'invalid_request'],
    [
      'arguments smuggled into a report',
      'rs',
      { calls: [{ id: 'tc_000000001', tool: 't', outcome: 'allowed', grant_id: 'g', at: 1, args: { to: 'x' } }] },
      400,
      'invalid_request',
    ],
    ['an unknown outcome', 'rs', { calls: [{ id: 'tc_000000001', tool: 't', outcome: 'maybe', grant_id: 'g', at: 1 }] }, 400, 'invalid_request'],
  ])('must-reject: %s → %i %s', async (_n, who, body, status, error) => {
    const w = await world();
    const authorization = who === 'rs' ? rsAuth(w.rs) : who === 'agent' ? basic(w.agent.client_id, w.agent.client_secret) : '';
    const res = await fetch(`${w.d.url}/tool-calls`, {
      method: 'POST',
      headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error });
  });
});

describe('the kit reporter', () => {
  it('a resource server restarting with buffered calls: none lost, none doubled', async () => {
    const w = await world();
    const { grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const file = tempFile('tool-calls.jsonl');
    const opts = { issuer: w.d.url, clientId: w.rs.client_id, clientSecret: w.rs.client_secret, file, flushDelayMs: 60_000 };
    const r1 = createReporter(opts);
    r1.record({ tool: 'list_notes', outcome: 'allowed', grantId });
    r1.record({ tool: 'add_note', outcome: 'refused', reason: 'needs notes.write', grantId });
    await r1.flush(); // both delivered…
    r1.record({ tool: 'list_notes', outcome: 'allowed', grantId });
    await r1.close(); // …the third still buffered when the process goes away

    const r2 = createReporter(opts);
    expect(r2.pending()).toBe(1);
    await r2.flush();
    await r2.close();
    const r3 = createReporter(opts); // nothing left to send twice
    expect(r3.pending()).toBe(0);
    await r3.close();
    expect(toolRows(w.d).map((r) => r.type)).toEqual(['tool.called', 'tool.refused', 'tool.called']);
  });

  it('sends a long queue in order, in batches that stay under the daemon body limit (long reasons)', async () => {
    const w = await world();
    const { grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const r = createReporter({ issuer: w.d.url, clientId: w.rs.client_id, clientSecret: w.rs.client_secret, flushDelayMs: 60_000 });
    const ids: string[] = [];
    // 500 calls with 500-character reasons are ~350 KiB: one request of them all would be refused (413)
    for (let i = 0; i < 500; i++) ids.push(r.record({ tool: `tool_${i}`, outcome: 'refused', reason: 'x'.repeat(500), grantId }));
    expect(new Set(ids).size).toBe(500);
    await r.flush();
    await r.close();
    expect(r.pending()).toBe(0);
    const rows = w.d.ctx.db.prepare<[], { id: string }>('SELECT id FROM tool_calls ORDER BY rowid').all();
    expect(rows.map((x) => x.id)).toEqual(ids);
  });

  it('a delivery whose answer was lost is re-sent and deduplicated by the daemon', async () => {
    const w = await world();
    const { grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    let loseAnswer = true;
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (loseAnswer) {
        loseAnswer = false;
        await res.body?.cancel();
        throw new Error('connection reset');
      }
      return res;
    };
    const r = createReporter({ issuer: w.d.url, clientId: w.rs.client_id, clientSecret: w.rs.client_secret, fetch: lossy, flushDelayMs: 60_000 });
    r.record({ tool: 'list_notes', outcome: 'allowed', grantId });
    await expect(r.flush()).rejects.toThrow('connection reset');
    expect(r.pending()).toBe(1);
    await r.flush();
    await r.close();
    expect(toolRows(w.d).map((x) => x.type)).toEqual(['tool.called']);
  });
});

describe('GET /admin/grants/:id/tool-calls', () => {
  it('lists a grant’s calls newest first, for an authenticated admin only', async () => {
    const w = await world();
    const { grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    await post(w.d.url, rsAuth(w.rs), {
      calls: [
        { id: 'tc_000000001', tool: 'list_notes', outcome: 'allowed', grant_id: grantId, at: 100 },
        { id: 'tc_000000002', tool: 'add_note', outcome: 'refused', reason: 'needs notes.write', grant_id: grantId, at: 200 },
      ],
    });
    const res = await w.d.admin('GET', `/grants/${grantId}/tool-calls`);
    expect(await res.json()).toEqual({
      calls: [
        { id: 'tc_000000002', grant_id: grantId, tool: 'add_note', outcome: 'refused', reason: 'needs notes.write', at: 200 },
        { id: 'tc_000000001', grant_id: grantId, tool: 'list_notes', outcome: 'allowed', reason: null, at: 100 },
      ],
    });
    const anonymous = await fetch(`${w.d.url}/admin/grants/${grantId}/tool-calls`);
    expect(anonymous.status).toBe(401);
    expect((await w.d.admin('GET', '/grants/grt_nope/tool-calls')).status).toBe(404);
  });
});
