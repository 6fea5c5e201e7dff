/**
 * Issue 11 done-when, in real Chromium with the built extension and the real daemon: the unmodified MCP SDK client
 * (1.32) with a standard OAuthClientProvider connects to the SDK-built example server protected by Mandate. Its
 * authorization URL opens in a browser tab; the daemon's /authorize passes interception, and the tab shows the
 * request's card in the extension; the person unticks one scope and picks 15 minutes; the tab returns to the
 * client with a code. The tool call's claims match; after Revoke in the popup the next call fails and the refresh
 * is refused; a second connection is a new pending request.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { agentCreated } from '../shared/src/admin-api.js';
import { MemoryProvider } from '../examples/mcp-server/memory-provider.js';
import { protectedMcpApp } from '../examples/mcp-server/server.js';
import { expect, pairThroughOptions, test } from './fixtures.js';

test('an MCP client connects through Mandate: same-tab card, narrowed, revoked in the popup, asks again', async ({ context, daemon, options, popup }) => {
  await pairThroughOptions(options, daemon);
  let server: ServerType | undefined;
  const closers: (() => Promise<void>)[] = [];
  try {
    let handler: ((req: Request) => Response | Promise<Response>) | undefined;
    server = serve({ fetch: (req) => (handler ? handler(req) : new Response(null, { status: 503 })), port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
    const mcpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    const res = await daemon.admin('POST', '/agents', {
      name: 'Notes MCP',
      kind: 'resource_server',
      scopes: ['mcp.read', 'mcp.write', 'mcp.admin'],
      resources: [mcpUrl],
    });
    const rs = agentCreated.parse(await res.json());
    handler = protectedMcpApp({ issuer: daemon.daemon.url, resource: mcpUrl, introspection: { clientId: rs.client_id, clientSecret: rs.client_secret } }).fetch;

    // the app's loopback redirect listener
    const app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('back in the app'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const CALLBACK = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          app.closeAllConnections();
          app.close(() => resolve());
        }),
    );
    let tab: Page | undefined;
    const provider = new MemoryProvider(CALLBACK, async (url) => {
      tab = await context.newPage();
      await tab.goto(url.toString()).catch(() => undefined); // the tab is sent on by the extension
    });

    const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    await expect(new Client({ name: 'e2e', version: '1' }).connect(first)).rejects.toThrow(/Unauthorized/);
    const page = tab!;
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/src\/approve\/index\.html\?grant=grt_/);
    const card = page.getByRole('listitem').filter({ hasText: 'SDK test client (registered itself, not verified)' });
    await expect(card).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/mcp-approve.png', fullPage: true });
    await card.getByLabel('mcp.admin').uncheck();
    await card.getByLabel('Duration').selectOption({ label: '15 minutes' });
    await card.getByRole('button', { name: 'Approve' }).click();
    // the tab goes back to the daemon's waiting URL, which sends it to the app's redirect URI with the code
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`${CALLBACK}?code=`);
    await expect(page.getByText('back in the app')).toBeVisible();
    const back = new URL(page.url());
    expect(back.searchParams.get('iss')).toBe(daemon.daemon.url);
    await first.finishAuth(back.searchParams.get('code')!);

    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
    const result = (await client.callTool({ name: 'whoami', arguments: {} })) as { content: { text: string }[] };
    const claims = JSON.parse(result.content[0]!.text) as { scope: string; aud: string; act: { sub: string }; grant_id: string };
    expect(claims).toMatchObject({ scope: 'mcp.read mcp.write', aud: mcpUrl, act: { sub: provider.client!.client_id } });
    const grant = (await (await daemon.admin('GET', `/grants/${claims.grant_id}`)).json()) as { expires_at: number; decided_at: number };
    expect(grant.expires_at - grant.decided_at).toBe(900);

    const p = await popup();
    await p.getByRole('listitem').filter({ hasText: 'SDK test client' }).getByRole('button', { name: 'Revoke' }).click();
    await expect(p.getByRole('status').filter({ hasText: 'Revoked' })).toBeVisible();
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    const audit = (await (await daemon.admin('GET', '/audit?type=token.refused')).json()) as { events: { grant_id: string | null }[] };
    expect(audit.events.some((e) => e.grant_id === claims.grant_id)).toBe(true);
    await client.close();

    // a second connection: a new pending request, shown again in the tab
    // the client starts the new authorization after its refresh is refused: wait for it to land
    const pendingIds = async () => ((await (await daemon.admin('GET', '/requests')).json()) as { grants: { id: string }[] }).grants.map((g) => g.id);
    await expect.poll(async () => (await pendingIds()).length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await pendingIds()).not.toContain(claims.grant_id);
  } finally {
    for (const close of closers) await close();
    if (server) {
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
  }
});
