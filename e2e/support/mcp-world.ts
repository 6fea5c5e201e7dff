/**
 * What every MCP e2e flow needs around the client: the SDK-built example MCP server (examples/mcp-server) on a
 * loopback port, registered with the daemon as a resource server and protected by its tokens; the app's loopback
 * redirect listener; and the standard provider whose "browser" is a real Chromium tab.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { BrowserContext, Page } from '@playwright/test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentCreated } from '#shared/admin-api.js';
import { MemoryProvider } from '../../examples/mcp-server/memory-provider.js';
import { protectedMcpApp } from '../../examples/mcp-server/server.js';
import type { DaemonHandle } from '../fixtures.js';

export interface McpWorld {
  mcpUrl: string;
  callback: string;
  provider: MemoryProvider;
  /** The tab the client opened its latest authorization URL in. */
  tab(): Page;
  pendingIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function mcpWorld(daemon: DaemonHandle, context: BrowserContext): Promise<McpWorld> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    let handler: ((req: Request) => Response | Promise<Response>) | undefined;
    const server: ServerType = serve({ fetch: (req) => (handler ? handler(req) : new Response(null, { status: 503 })), port: 0, hostname: '127.0.0.1' });
    closers.push(async () => {
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const mcpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    const res = await daemon.admin('POST', '/agents', {
      name: 'Notes MCP',
      kind: 'resource_server',
      scopes: ['mcp.read', 'mcp.write', 'mcp.admin'],
      resources: [mcpUrl],
    });
    const rs = agentCreated.parse(await res.json());
    handler = protectedMcpApp({ issuer: daemon.daemon.url, resource: mcpUrl, introspection: { clientId: rs.client_id, clientSecret: rs.client_secret } }).fetch;

    const app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('back in the app'));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          app.closeAllConnections();
          app.close(() => resolve());
        }),
    );
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const callback = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
    let tab: Page | undefined;
    const provider = new MemoryProvider(callback, async (url) => {
      tab = await context.newPage();
      await tab.goto(url.toString()).catch(() => undefined); // the extension may send the tab on while it loads
    });
    return {
      mcpUrl,
      callback,
      provider,
      tab: () => {
        if (!tab) throw new Error('the client has not opened an authorization URL');
        return tab;
      },
      pendingIds: async () => ((await (await daemon.admin('GET', '/requests')).json()) as { grants: { id: string }[] }).grants.map((g) => g.id),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
