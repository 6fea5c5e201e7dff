/**
 * The two official MCP TypeScript client SDKs, unmodified, behind one small shape so each e2e flow runs against
 * both: `@modelcontextprotocol/sdk` 1.32 (protocol 2025-11-25) and the split `@modelcontextprotocol/client` 2.x.
 * Each uses its own StreamableHTTPClientTransport with the standard OAuthClientProvider (examples/mcp-server).
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { MemoryProvider } from '../../examples/mcp-server/memory-provider.js';

export interface McpConnection {
  /** Calls a tool and returns the parsed JSON of its first text content. */
  call(tool: string): Promise<Record<string, unknown>>;
  /** Completes an authorization the SDK started (step-up or a new one) with the redirect the browser landed on. */
  finishAuth(back: URL): Promise<void>;
  close(): Promise<void>;
}

export interface McpSdk {
  name: string;
  /** Connects; rejects (Unauthorized) when the SDK has to send the person to the authorization URL first. */
  connect(url: string, provider: MemoryProvider): Promise<McpConnection>;
  /** A first connection that needs authorization: it opens the browser, and this completes it with the redirect. */
  authorize(url: string, provider: MemoryProvider): Promise<(back: URL) => Promise<void>>;
}

const parsed = (result: unknown): Record<string, unknown> => {
  const content = (result as { content: { text: string }[] }).content;
  return JSON.parse(content[0]!.text) as Record<string, unknown>;
};

export const SDK_132: McpSdk = {
  name: '@modelcontextprotocol/sdk 1.32',
  async connect(url, provider) {
    const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    return {
      call: async (name) => parsed(await client.callTool({ name, arguments: {} })),
      finishAuth: (back) => transport.finishAuth(back.searchParams.get('code') ?? ''),
      close: () => client.close(),
    };
  },
  async authorize(url, provider) {
    const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    const failed = await new Client({ name: 'e2e', version: '1' }).connect(transport).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(failed instanceof Error) || !/Unauthorized/.test(failed.message)) throw new Error(`expected the SDK to ask for authorization, got ${String(failed)}`);
    return (back) => transport.finishAuth(back.searchParams.get('code') ?? '');
  },
};

export const SDK_V2: McpSdk = {
  name: '@modelcontextprotocol/client 2.x',
  async connect(url, provider) {
    const transport = new TransportV2(new URL(url), { authProvider: provider });
    const client = new ClientV2({ name: 'e2e', version: '1' });
    await client.connect(transport);
    return {
      call: async (name) => parsed(await client.callTool({ name, arguments: {} })),
      // v2 checks the redirect's `iss` against the issuer (RFC 9207) when given the whole query
      finishAuth: (back) => transport.finishAuth(back.searchParams),
      close: () => client.close(),
    };
  },
  async authorize(url, provider) {
    const transport = new TransportV2(new URL(url), { authProvider: provider });
    const failed = await new ClientV2({ name: 'e2e', version: '1' }).connect(transport).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(failed instanceof Error)) throw new Error('expected the SDK to ask for authorization, but it connected');
    return (back) => transport.finishAuth(back.searchParams);
  },
};

export const SDKS: readonly McpSdk[] = [SDK_132, SDK_V2];
