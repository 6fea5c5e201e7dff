/**
 * Step-up through the unmodified SDK clients: the example MCP server answers a tool that needs a scope the token
 * lacks with 403 `insufficient_scope` and `scope=` (what is held plus what the tool needs).
 * The same through the resource-server kit's tool → scope map (examples/mcp-notes-server), whose 403 names only
 * the scope the tool needs.
 * - `@modelcontextprotocol/client` 2.x re-authorizes for the union: a NEW pending request that names what is
 *   already granted and what is added; once approved (CLI) and finished, the same tool call succeeds.
 * - `@modelcontextprotocol/sdk` 1.32 does not: it refreshes (without a scope, so the daemon rotates the refresh
 *   token for the same approval), retries, gets the same 403 and gives up ("Server returned 403 after trying
 *   upscoping"); no new authorization, no new pending request, nothing widened.
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotesServer } from '../../../examples/mcp-notes-server/server.js';
import type { TestDaemon } from '../harness.js';
import { comeBack, mcpDaemon } from './authorize-support.js';
import { fetchingProvider, protectedServer } from './authorize-sdk-support.js';
import { pendingRequests } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const parsed = (result: unknown) => JSON.parse((result as { content: { text: string }[] }).content[0]!.text) as Record<string, unknown>;

/** Approves the one pending request (through the admin API, as `mandate approve` does) and follows the tab back. */
async function approveOnly(
  d: TestDaemon,
  p: { waitUrl: string | undefined },
  scope?: string[],
): Promise<{ back: URL; grantId: string; message: string | null }> {
  const pending = await pendingRequests(d);
  expect(pending).toHaveLength(1);
  const g = pending[0]!;
  const ok = await d.admin('POST', `/requests/${g.id}/approve`, scope ? { scope } : {});
  expect(ok.status, await ok.clone().text()).toBe(200);
  return { back: await comeBack(p.waitUrl!), grantId: g.id, message: g.binding_message };
}

describe('@modelcontextprotocol/client 2.x: step-up on 403 insufficient_scope', () => {
  it('re-authorizes for the union; the new request names what is held and what is added; then the call succeeds', async () => {
    const { d, mcpUrl } = await protectedServer();
    const p = fetchingProvider();
    const first = new TransportV2(new URL(mcpUrl), { authProvider: p });
    await expect(new ClientV2({ name: 't', version: '1' }).connect(first)).rejects.toThrow();
    const one = await approveOnly(d, p, ['mcp.read', 'mcp.write']);
    await first.finishAuth(one.back.searchParams);

    const transport = new TransportV2(new URL(mcpUrl), { authProvider: p });
    const client = new ClientV2({ name: 't', version: '1' });
    await client.connect(transport);
    expect(parsed(await client.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ scope: 'mcp.read mcp.write' });

    const before = p.authorizations;
    await expect(client.callTool({ name: 'delete_notes', arguments: {} })).rejects.toThrow();
    expect(p.authorizations).toBe(before + 1);
    const [stepUp] = await pendingRequests(d);
    expect(stepUp!.id).not.toBe(one.grantId);
    expect(stepUp!.requested_scope).toEqual(['mcp.read', 'mcp.write', 'mcp.admin']);
    expect(stepUp!.binding_message).toMatch(/^More access for a connected app: already granted mcp\.read mcp\.write; adds mcp\.admin\./);
    expect(stepUp!.held_scope).toEqual(['mcp.read', 'mcp.write']);

    const two = await approveOnly(d, p);
    await transport.finishAuth(two.back.searchParams);
    expect(parsed(await client.callTool({ name: 'delete_notes', arguments: {} }))).toEqual({ deleted: true });
    expect(parsed(await client.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ scope: 'mcp.read mcp.write mcp.admin', grant_id: two.grantId });
    await client.close();
  });
});

describe('@modelcontextprotocol/client 2.x: step-up against the kit-protected notes server (tool → scope map)', () => {
  it('add_note needs notes.write: 403 names it, the SDK asks for read + write, a new request says what is added', async () => {
    const d = await mcpDaemon();
    // the resource is the server's own URL (clients check the metadata names it): take a free port first
    const port = await freePort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    const rs = await d.registerAgent({ kind: 'resource_server', name: 'Notes', resources: [resource], scopes: ['notes.read', 'notes.write'] });
    const server = await startNotesServer({ issuer: d.url, clientId: rs.client_id, clientSecret: rs.client_secret, port });
    closers.push(server.close);
    expect(server.resource).toBe(resource);
    const p = fetchingProvider();
    const first = new TransportV2(new URL(server.url), { authProvider: p });
    await expect(new ClientV2({ name: 't', version: '1' }).connect(first)).rejects.toThrow();
    const one = await approveOnly(d, p, ['notes.read']);
    await first.finishAuth(one.back.searchParams);

    const transport = new TransportV2(new URL(server.url), { authProvider: p });
    const client = new ClientV2({ name: 't', version: '1' });
    await client.connect(transport);
    const listed = (await client.callTool({ name: 'list_notes', arguments: {} })) as { content: { text: string }[] };
    expect(listed.content[0]!.text).toContain('Buy milk');

    await expect(client.callTool({ name: 'add_note', arguments: { text: 'Water the plants' } })).rejects.toThrow();
    const [stepUp] = await pendingRequests(d);
    expect(stepUp!.requested_scope).toEqual(['notes.read', 'notes.write']);
    expect(stepUp!.binding_message).toMatch(/^More access for a connected app: already granted notes\.read; adds notes\.write\./);
    expect(stepUp!.held_scope).toEqual(['notes.read']);
    const two = await approveOnly(d, p);
    await transport.finishAuth(two.back.searchParams);
    const added = (await client.callTool({ name: 'add_note', arguments: { text: 'Water the plants' } })) as { content: { text: string }[] };
    expect(added.content[0]!.text).toBe('added note 3');
    await client.close();
  });
});

describe('@modelcontextprotocol/sdk 1.32: what it really does on 403 insufficient_scope', () => {
  it('refreshes for the same approval, retries, and gives up: no new authorization, no pending request, nothing widened', async () => {
    const { d, mcpUrl } = await protectedServer();
    const p = fetchingProvider();
    const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: p });
    await expect(new Client({ name: 't', version: '1' }).connect(first)).rejects.toThrow(/Unauthorized/);
    const one = await approveOnly(d, p, ['mcp.read', 'mcp.write']);
    await first.finishAuth(one.back.searchParams.get('code')!);

    const client = new Client({ name: 't', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: p }));
    const before = { authorizations: p.authorizations, refresh: p.saved?.refresh_token };
    await expect(client.callTool({ name: 'delete_notes', arguments: {} })).rejects.toThrow('Server returned 403 after trying upscoping');
    expect(p.authorizations).toBe(before.authorizations);
    expect(p.saved?.refresh_token).not.toBe(before.refresh); // it did refresh
    expect(await pendingRequests(d)).toEqual([]);
    expect(parsed(await client.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ scope: 'mcp.read mcp.write', grant_id: one.grantId });
    await client.close();
  });
});
