/**
 * Interop fixtures: the example MCP server (examples/mcp-server) on a loopback port, protected by a test daemon,
 * and a standard in-memory OAuthClientProvider (the shape of the SDK's own example) whose "browser" is fetch.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterEach, expect } from 'vitest';
import { MemoryProvider } from '../../../examples/mcp-server/memory-provider.js';
import { protectedMcpApp } from '../../../examples/mcp-server/server.js';
import type { TestDaemon } from '../harness.js';
import { browse, mcpDaemon } from './authorize-support.js';

export const CALLBACK = 'http://127.0.0.1:53999/callback';
const servers: ServerType[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    (s as unknown as { closeAllConnections(): void }).closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A daemon, and the example MCP server registered with it as a resource server. */
export async function protectedServer(): Promise<{ d: TestDaemon; mcpUrl: string }> {
  const d = await mcpDaemon();
  let handler: ((req: Request) => Response | Promise<Response>) | undefined;
  const server = serve({ fetch: (req) => (handler ? handler(req) : new Response(null, { status: 503 })), port: 0, hostname: '127.0.0.1' });
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const mcpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const rs = await d.registerAgent({ kind: 'resource_server', name: 'Example MCP', resources: [mcpUrl], scopes: ['mcp.read', 'mcp.write', 'mcp.admin'] });
  handler = protectedMcpApp({ issuer: d.url, resource: mcpUrl, introspection: { clientId: rs.client_id, clientSecret: rs.client_secret } }).fetch;
  return { d, mcpUrl };
}

/** The standard provider whose "browser" is fetch: it follows /authorize to the daemon's waiting page and stops there. */
export function fetchingProvider(): MemoryProvider & { waitUrl: string | undefined } {
  const p = Object.assign(
    new MemoryProvider(CALLBACK, async (url) => {
      const res = await browse(url.toString());
      expect(res.status, await res.clone().text()).toBe(303);
      p.waitUrl = res.headers.get('location') ?? undefined;
    }),
    { waitUrl: undefined as string | undefined },
  );
  return p;
}
