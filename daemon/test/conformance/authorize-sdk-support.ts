/**
 * Interop fixtures: the example MCP server (examples/mcp-server) on a loopback port, protected by a test daemon,
 * and a standard in-memory OAuthClientProvider (the shape of the SDK's own example) whose "browser" is fetch.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterEach, expect } from 'vitest';
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

interface Tokens {
  access_token: string;
  token_type: string;
  refresh_token?: string | undefined;
  issuer?: string | undefined;
}

/** The fields both SDKs' providers share (structurally the OAuthClientProvider of 1.32 and of v2). */
export class MemoryProvider {
  client: { client_id: string; client_secret?: string | undefined } | undefined;
  saved: Tokens | undefined;
  verifier = '';
  /** Where the "browser" is now: the waiting page the daemon sent the tab to. */
  waitUrl: string | undefined;
  authorizations = 0;
  readonly redirectUrl = CALLBACK;
  readonly clientMetadata = {
    client_name: 'SDK test client',
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: { client_id: string; client_secret?: string | undefined }) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(t: Tokens) {
    this.saved = t;
  }
  async redirectToAuthorization(url: URL) {
    this.authorizations++;
    const res = await browse(url.toString());
    expect(res.status, await res.clone().text()).toBe(303);
    this.waitUrl = res.headers.get('location') ?? undefined;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'client') this.client = undefined;
  }
}
