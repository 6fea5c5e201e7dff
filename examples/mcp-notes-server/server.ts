/**
 * A real MCP server (Streamable HTTP, @modelcontextprotocol/sdk 1.x) protected by Mandate through the
 * resource-server kit: `list_notes` needs `notes.read`, `add_note` needs `notes.write`. Every tool call is
 * checked against the token's scopes and reported to the daemon's audit trail.
 *
 *   MANDATE_ISSUER=http://127.0.0.1:8787 MANDATE_CLIENT_ID=… MANDATE_CLIENT_SECRET=… \
 *     node --conditions=mandate-source --import tsx examples/mcp-notes-server/server.ts
 */
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { InsufficientScopeError, InvalidTokenError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import * as z from 'zod';
import {
  allowedTools,
  createReporter,
  createVerifier,
  mcpTokenVerifier,
  mcpToolGuard,
  protectedResourceMetadata,
  protectedResourceMetadataPath,
  type McpAuthInfo,
  type ToolScopes,
} from '../../kits/resource-server/index.js';

/** The tool → scope map: the one place that says what each tool needs. */
export const NOTES_TOOLS: ToolScopes = { list_notes: 'notes.read', add_note: 'notes.write' };

export interface NotesServerOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** 0 picks a free port. */
  port?: number;
  /** This server's resource identifier (the tokens' `aud`); default `http://127.0.0.1:<port>/mcp`. */
  resource?: string;
  /** Keep unreported tool calls here across restarts. */
  reportFile?: string;
  /** Hide the tools a token cannot call from `tools/list` (default true). */
  hideTools?: boolean;
  feedTimeoutMs?: number;
}

/** One MCP server per request (stateless), holding only the tools this token may call when hiding is on. */
function mcpServerFor(notes: string[], scopes: readonly string[], hide: boolean): McpServer {
  const server = new McpServer({ name: 'mandate-notes', version: '1.0.0' });
  const visible = hide ? allowedTools(NOTES_TOOLS, scopes) : Object.keys(NOTES_TOOLS);
  if (visible.includes('list_notes')) {
    server.registerTool('list_notes', { description: 'List all notes' }, () => ({
      content: [{ type: 'text', text: notes.length ? notes.map((n, i) => `${i + 1}. ${n}`).join('\n') : '(no notes)' }],
    }));
  }
  if (visible.includes('add_note')) {
    server.registerTool('add_note', { description: 'Add a note', inputSchema: { text: z.string().min(1).max(2000) } }, ({ text }) => {
      notes.push(text);
      return { content: [{ type: 'text', text: `added note ${notes.length}` }] };
    });
  }
  return server;
}

export async function startNotesServer(o: NotesServerOptions): Promise<{ url: string; resource: string; close(): Promise<void> }> {
  const notes: string[] = ['Buy milk', 'Call the plumber'];
  const app = express();
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(o.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  const resource = o.resource ?? `${base}/mcp`;
  const metadataPath = protectedResourceMetadataPath(resource);
  const verifier = createVerifier({
    issuer: o.issuer,
    audience: resource,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    resourceMetadata: `${base}${metadataPath}`,
    ...(o.feedTimeoutMs !== undefined ? { feedTimeoutMs: o.feedTimeoutMs } : {}),
  });
  const reporter = createReporter({ issuer: o.issuer, clientId: o.clientId, clientSecret: o.clientSecret, ...(o.reportFile ? { file: o.reportFile } : {}) });
  const metadata = protectedResourceMetadata({ resource, issuer: o.issuer, scopes: Object.values(NOTES_TOOLS), name: 'Notes' });

  app.get(metadataPath, (_req, res) => {
    res.json(metadata);
  });
  app.post(
    '/mcp',
    express.json({ limit: '64kb' }),
    requireBearerAuth({
      verifier: mcpTokenVerifier(verifier, { InvalidTokenError, InsufficientScopeError, ServerError }),
      resourceMetadataUrl: `${base}${metadataPath}`,
    }),
    mcpToolGuard({ tools: NOTES_TOOLS, reporter, verifier }),
    async (req, res) => {
      const auth = (req as { auth?: McpAuthInfo }).auth;
      const server = mcpServerFor(notes, auth?.scopes ?? [], o.hideTools ?? true);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    },
  );
  // The 2026-07-28 transport has no GET stream; older clients probe it.
  app.get('/mcp', (_req, res) => {
    res.status(405).set('Allow', 'POST').json({ error: 'invalid_request', error_description: 'use POST' });
  });

  return {
    url: `${base}/mcp`,
    resource,
    async close() {
      await reporter.flush().catch(() => {});
      await reporter.close();
      await verifier.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`set ${k}`);
    return v;
  };
  const s = await startNotesServer({
    issuer: env('MANDATE_ISSUER'),
    clientId: env('MANDATE_CLIENT_ID'),
    clientSecret: env('MANDATE_CLIENT_SECRET'),
    port: Number(process.env.PORT ?? 8790),
    ...(process.env.NOTES_RESOURCE ? { resource: process.env.NOTES_RESOURCE } : {}),
    reportFile: process.env.NOTES_REPORT_FILE ?? 'notes-tool-calls.jsonl',
  });
  console.log(`notes MCP server on ${s.url} (resource ${s.resource})`);
}
