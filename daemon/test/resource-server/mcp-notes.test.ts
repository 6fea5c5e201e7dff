/** The example MCP server, driven by the real MCP SDK client with a Mandate token: per-tool-call scope checks. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startNotesServer } from '../../../examples/mcp-notes-server/server.js';
import { GRANT_TYPE_CIBA, tokenResponse } from '#shared/oauth.js';
import { startTestDaemon } from '../harness.js';

const RESOURCE = 'https://notes.example/mcp';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function setup() {
  const d = await startTestDaemon({ clock: Object.assign(() => Math.floor(Date.now() / 1000), { advance: () => {} }) });
  const agent = await d.registerAgent({ name: 'Notes agent', scopes: ['notes.read', 'notes.write'], resources: [RESOURCE] });
  const rs = await d.registerAgent({ name: 'Notes', kind: 'resource_server', resources: [RESOURCE] });
  const server = await startNotesServer({ issuer: d.url, clientId: rs.client_id, clientSecret: rs.client_secret, resource: RESOURCE });
  closers.push(server.close);
  const authReqId = await d.request(agent, { scope: 'notes.read', resource: RESOURCE, binding_message: 'Tidy my notes' });
  const grantId = ((await (await d.admin('POST', `/requests/${encodeURIComponent(authReqId)}/approve`, {})).json()) as { id: string }).id;
  const tokenRes = await d.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, { id: agent.client_id, secret: agent.client_secret });
  const token = tokenResponse.parse(await tokenRes.json()).access_token;
  const connect = async () => {
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    closers.push(() => client.close());
    return client;
  };
  return { d, server, token, grantId, connect };
}

const toolAudit = (d: Awaited<ReturnType<typeof setup>>['d']) =>
  d.ctx.db
    .prepare<[], { type: string; detail: string }>("SELECT type, detail FROM audit WHERE type LIKE 'tool.%' ORDER BY id")
    .all()
    .map((r) => [r.type, (JSON.parse(r.detail) as { tool: string }).tool]);

/** A raw MCP `tools/call` of add_note, its Mcp-Name header saying `mcpName` (MCP 2026-07-28 headers). */
const callAddNote = (s: { server: { url: string }; token: string }, mcpName: string) =>
  fetch(s.server.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${s.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-method': 'tools/call',
      'mcp-name': mcpName,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add_note', arguments: { text: 'x' } } }),
  });

describe('examples/mcp-notes-server with notes.read only', () => {
  it('list_notes works, add_note is refused with insufficient_scope, both land in the audit; tools/list hides add_note', async () => {
    const s = await setup();
    const client = await s.connect();
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['list_notes']);
    const listed = await client.callTool({ name: 'list_notes', arguments: {} });
    expect(JSON.stringify(listed.content)).toContain('Buy milk');

    const raw = await callAddNote(s, 'add_note');
    expect(raw.status).toBe(403);
    expect(raw.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(raw.headers.get('www-authenticate')).toContain('scope="notes.write"');
    await vi.waitFor(
      () =>
        expect(toolAudit(s.d)).toEqual([
          ['tool.called', 'list_notes'],
          ['tool.refused', 'add_note'],
        ]),
      { timeout: 3000, interval: 50 },
    );
  });

  it('must-reject: Mcp-Name saying list_notes on a body calling add_note → 400, nothing called', async () => {
    const s = await setup();
    const res = await callAddNote(s, 'list_notes');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('serves RFC 9728 metadata naming the daemon; after a revoke the next call is refused long before the token expires', async () => {
    const s = await setup();
    const meta = await fetch(new URL('/.well-known/oauth-protected-resource/mcp', s.server.url));
    expect(await meta.json()).toMatchObject({ resource: RESOURCE, authorization_servers: [s.d.url], scopes_supported: ['notes.read', 'notes.write'] });
    const client = await s.connect();
    await client.callTool({ name: 'list_notes', arguments: {} });
    expect((await s.d.admin('POST', `/grants/${s.grantId}/revoke`, {})).status).toBe(200);
    await vi.waitFor(
      async () => {
        const res = await fetch(s.server.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_notes', arguments: {} } }),
        });
        expect(res.status).toBe(401);
      },
      { timeout: 2000, interval: 10 },
    );
  });
});
