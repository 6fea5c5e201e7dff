/** The reporter's bounded queue: full → tool calls refused (503 unavailable), nothing dropped; drained → accepted again. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { type McpAuthInfo, MandateTokenError, createReporter, mandateAuth, mandateMiddleware, mcpToolGuard } from '../../../kits/resource-server/index.js';
import { tempFile, world } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** The Hono middleware with reporting, on a real loopback port. */
async function toolServer(app: Hono): Promise<string> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
  });
}

/** A path to the daemon that can be cut (connection refused) or lose the answer of its next POST after it was received. */
function faultyNet() {
  const net = { down: false, loseNextAnswer: false, posts: 0 };
  const f: typeof fetch = async (input, init) => {
    if (net.down) throw new TypeError('fetch failed (daemon unreachable)');
    const res = await fetch(input, init);
    net.posts++;
    if (net.loseNextAnswer) {
      net.loseNextAnswer = false;
      await res.body?.cancel();
      throw new TypeError('fetch failed (answer lost)');
    }
    return res;
  };
  return { net, fetch: f };
}

/** Retries flush until one succeeds (the reporter backs off after failures). */
async function flushed(r: { flush(): Promise<void>; pending(): number }): Promise<void> {
  for (let i = 0; i < 200 && r.pending() > 0; i++) {
    await r.flush().catch(() => new Promise((res) => setTimeout(res, 50)));
  }
  expect(r.pending()).toBe(0);
}

describe('reporter back-pressure', () => {
  it('fills while the daemon is unreachable → calls refused with unavailable; back → drains in order, accepted again, each call audited once', async () => {
    const w = await world();
    const { token, grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier();
    await v.ready();
    const { net, fetch: f } = faultyNet();
    const events: { blocked: boolean; pending: number }[] = [];
    const reporter = createReporter({
      issuer: w.d.url,
      clientId: w.rs.client_id,
      clientSecret: w.rs.client_secret,
      maxQueued: 5,
      resumeAt: 2,
      flushDelayMs: 10,
      fetch: f,
      onBackPressure: (e) => events.push(e),
    });
    closers.push(() => reporter.close());
    const app = new Hono().get('/tools/list_mail', mandateAuth({ verifier: v, scope: 'mail.read', reporter, tool: 'list_mail' }), (c) => c.json({ ok: true }));
    const base = await toolServer(app);
    const call = () => fetch(`${base}/tools/list_mail`, { headers: { authorization: `Bearer ${token}` } });

    net.down = true;
    for (let i = 0; i < 5; i++) expect((await call()).status).toBe(200);
    expect(reporter.pending()).toBe(5);
    expect(reporter.accepting()).toBe(false);
    expect(events).toEqual([{ blocked: true, pending: 5 }]);
    for (let i = 0; i < 3; i++) {
      const refused = await call();
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    }
    expect(reporter.pending()).toBe(5); // nothing dropped, nothing more taken
    expect(() => reporter.record({ tool: 'list_mail', outcome: 'allowed', grantId })).toThrow(MandateTokenError);

    net.down = false;
    net.loseNextAnswer = true; // the first batch lands but its answer is lost: the re-send must not double it
    await flushed(reporter);
    expect(reporter.accepting()).toBe(true);
    expect(events).toEqual([
      { blocked: true, pending: 5 },
      { blocked: false, pending: 0 },
    ]);
    expect((await call()).status).toBe(200);
    await flushed(reporter);
    expect(net.posts).toBeGreaterThanOrEqual(3); // lost answer, its re-send, the last call

    const rows = w.d.ctx.db
      .prepare<[], { type: string; grant_id: string; detail: string }>("SELECT type, grant_id, detail FROM audit WHERE type LIKE 'tool.%' ORDER BY id")
      .all();
    const ids = rows.map((r) => (JSON.parse(r.detail) as { call_id: string }).call_id);
    expect(rows.map((r) => [r.type, r.grant_id])).toEqual(Array.from({ length: 6 }, () => ['tool.called', grantId]));
    expect(new Set(ids).size).toBe(6); // each accepted call exactly once
    const seq = ids.map((id) => Number.parseInt(id.slice(id.lastIndexOf('_') + 1), 36));
    expect(seq).toEqual([0, 1, 2, 3, 4, 5]); // in the order they were made
    expect(w.d.ctx.audit.verify()).toMatchObject({ ok: true }); // incremental
    expect(w.d.ctx.audit.verify({ full: true })).toMatchObject({ ok: true });
  });

  it('the Node/Express middleware refuses with 503 + Retry-After while full, and reports each allowed request', async () => {
    const w = await world();
    const { token } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier();
    await v.ready();
    const { net, fetch: f } = faultyNet();
    net.down = true;
    const reporter = createReporter({ issuer: w.d.url, clientId: w.rs.client_id, clientSecret: w.rs.client_secret, maxQueued: 2, flushDelayMs: 10, fetch: f });
    closers.push(() => reporter.close());
    const guard = mandateMiddleware({ verifier: v, scope: 'mail.read', reporter, tool: 'list_mail' });
    const server = createServer((req, res) => guard(req, res, () => res.end('ok')));
    const base = await new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
    );
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const call = () => fetch(base, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(reporter.pending()).toBe(2);
    net.down = false;
    await flushed(reporter);
    expect((await call()).status).toBe(200);
    await flushed(reporter);
    const n = w.d.ctx.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM audit WHERE type = 'tool.called'").get()!.n;
    expect(n).toBe(3);
  });

  it('the MCP tool guard refuses every tools/call with 503 while full (allowed and refused alike), other methods pass', async () => {
    const w = await world();
    const { grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const v = w.verifier();
    const { net, fetch: f } = faultyNet();
    net.down = true;
    const reporter = createReporter({
      issuer: w.d.url,
      clientId: w.rs.client_id,
      clientSecret: w.rs.client_secret,
      maxQueued: 1,
      resumeAt: 0,
      flushDelayMs: 10,
      fetch: f,
    });
    closers.push(() => reporter.close());
    const guard = mcpToolGuard({ tools: { list_mail: 'mail.read', send_mail: 'mail.send' }, reporter, verifier: v });
    // what requireBearerAuth and a JSON parser put on the request before the guard
    const auth: McpAuthInfo = { token: 't', clientId: w.agent.client_id, scopes: ['mail.read'], extra: { grantId } };
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => {
        Object.assign(req, { auth, body: JSON.parse(text) as unknown });
        guard(req, res, () => res.end('ran'));
      });
    });
    const base = await new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
    );
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const rpc = (method: string, params: unknown) =>
      fetch(base, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), headers: { 'content-type': 'application/json' } });
    expect((await rpc('tools/call', { name: 'list_mail' })).status).toBe(200); // recorded: the queue is now full
    for (const name of ['list_mail', 'send_mail']) {
      const r = await rpc('tools/call', { name });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    expect((await rpc('tools/list', {})).status).toBe(200);
    expect(reporter.pending()).toBe(1);
    net.down = false;
    await flushed(reporter);
    expect((await rpc('tools/call', { name: 'send_mail' })).status).toBe(403); // refused for scope, and reported
    await flushed(reporter);
    const types = w.d.ctx.db.prepare<[], { type: string }>("SELECT type FROM audit WHERE type LIKE 'tool.%' ORDER BY id").all();
    expect(types.map((t) => t.type)).toEqual(['tool.called', 'tool.refused']);
  });

  it('the bound holds without a middleware: record() refuses at maxQueued and keeps what it has', async () => {
    const w = await world();
    const { grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const { net, fetch: f } = faultyNet();
    net.down = true;
    const r = createReporter({ issuer: w.d.url, clientId: w.rs.client_id, clientSecret: w.rs.client_secret, maxQueued: 3, flushDelayMs: 10, fetch: f });
    closers.push(() => r.close());
    for (let i = 0; i < 3; i++) r.record({ tool: 't', outcome: 'allowed', grantId });
    const err = (() => {
      try {
        r.record({ tool: 't', outcome: 'allowed', grantId });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MandateTokenError);
    expect((err as MandateTokenError).code).toBe('unavailable');
    expect((err as MandateTokenError).status).toBe(503);
    expect(() => r.admit()).toThrow(MandateTokenError);
    expect(r.pending()).toBe(3);
    net.down = false;
    await flushed(r);
    expect(r.accepting()).toBe(true);
    expect(() => r.admit()).not.toThrow();
  });

  it('a restart with more unsent calls in its journal than the bound keeps them all and refuses until they drained', async () => {
    const w = await world();
    const { grantId } = await w.d.approvedToken(w.agent, { scope: 'mail.read' });
    const { net, fetch: f } = faultyNet();
    net.down = true;
    const file = tempFile('tool-calls.jsonl');
    const opts = { issuer: w.d.url, clientId: w.rs.client_id, clientSecret: w.rs.client_secret, file, flushDelayMs: 10, fetch: f };
    const r1 = createReporter({ ...opts, maxQueued: 10 });
    for (let i = 0; i < 3; i++) r1.record({ tool: 't', outcome: 'allowed', grantId });
    await r1.close();
    const r2 = createReporter({ ...opts, maxQueued: 2, resumeAt: 1 });
    closers.push(() => r2.close());
    expect(r2.pending()).toBe(3);
    expect(r2.accepting()).toBe(false);
    net.down = false;
    await flushed(r2);
    expect(r2.accepting()).toBe(true);
    expect(w.d.ctx.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM audit WHERE type = 'tool.called'").get()!.n).toBe(3);
  });

  it.each([
    [{ maxQueued: 0 }, /maxQueued/],
    [{ maxQueued: 1.5 }, /maxQueued/],
    [{ maxQueued: 10, resumeAt: 10 }, /resumeAt/],
    [{ maxQueued: 10, resumeAt: -1 }, /resumeAt/],
  ])('must-reject: options %o', (bad, message) => {
    expect(() => createReporter({ issuer: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', ...bad })).toThrow(message);
  });
});
