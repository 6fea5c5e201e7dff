import type { IncomingMessage, ServerResponse } from 'node:http';
import { MandateTokenError } from './errors.js';
import { sendTokenError } from './node.js';
import type { Reporter } from './reporter.js';
import type { Verifier } from './verifier.js';

/** The shape of the MCP SDK's `AuthInfo` (kept structural so the kit does not depend on the SDK). */
export interface McpAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  resource?: URL;
  extra?: Record<string, unknown>;
}

/** The SDK's error classes `requireBearerAuth` maps to 401/403/500 (pass them from `@modelcontextprotocol/sdk/server/auth/errors.js`). */
export interface McpSdkErrors {
  InvalidTokenError: new (message: string) => Error;
  InsufficientScopeError: new (message: string) => Error;
  ServerError: new (message: string) => Error;
}

/** An `OAuthTokenVerifier` for the SDK's `requireBearerAuth({ verifier })`. */
export function mcpTokenVerifier(verifier: Verifier, sdk: McpSdkErrors) {
  return {
    async verifyAccessToken(token: string): Promise<McpAuthInfo> {
      try {
        const t = await verifier.verify(token);
        return {
          token,
          clientId: t.clientId,
          scopes: t.scope,
          expiresAt: t.expiresAt,
          resource: new URL(verifier.options.audience),
          extra: { grantId: t.grantId, sub: t.sub, agent: t.agent },
        };
      } catch (e) {
        if (!(e instanceof MandateTokenError)) throw e;
        if (e.code === 'insufficient_scope') throw new sdk.InsufficientScopeError(e.message);
        if (e.code === 'unavailable') throw new sdk.ServerError(e.message);
        throw new sdk.InvalidTokenError(e.message);
      }
    },
  };
}

/** RFC 9728 protected-resource metadata for an MCP server (or any API) protected by Mandate. */
export function protectedResourceMetadata(o: { resource: string; issuer: string; scopes: readonly string[]; name?: string }) {
  return {
    resource: o.resource,
    authorization_servers: [o.issuer.replace(/\/$/, '')],
    scopes_supported: [...new Set(o.scopes)],
    bearer_methods_supported: ['header'],
    ...(o.name ? { resource_name: o.name } : {}),
  };
}

/** Where RFC 9728 puts the metadata of `resource`: `/.well-known/oauth-protected-resource` + its path. */
export function protectedResourceMetadataPath(resource: string): string {
  const path = new URL(resource).pathname.replace(/\/$/, '');
  return `/.well-known/oauth-protected-resource${path}`;
}

/** Tool name → the scope a call to it needs. */
export type ToolScopes = Readonly<Record<string, string>>;

/** The tools a token with these scopes may call (to register only those when `tools/list` should hide the rest). */
export function allowedTools(tools: ToolScopes, scopes: readonly string[]): string[] {
  return Object.entries(tools)
    .filter(([, s]) => scopes.includes(s))
    .map(([t]) => t);
}

type GuardedRequest = IncomingMessage & { auth?: McpAuthInfo; body?: unknown };

/** Methods whose target the MCP 2026-07-28 `Mcp-Name` header names, and where the body carries it. */
const NAMED: Record<string, 'name' | 'uri'> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

function badRequest(res: ServerResponse, description: string): void {
  res.statusCode = 400;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ error: 'invalid_request', error_description: description }));
}

interface Parsed {
  method: string | undefined;
  target: string | undefined;
}

/** Reads the JSON-RPC method and target, and checks the MCP 2026-07-28 headers against them; a string is a problem. */
function readMessage(req: GuardedRequest): Parsed | string {
  const body = req.body;
  if (Array.isArray(body)) return 'JSON-RPC batches are not accepted';
  if (typeof body !== 'object' || body === null) return 'body must be a JSON-RPC message';
  const msg = body as { method?: unknown; params?: unknown };
  const method = typeof msg.method === 'string' ? msg.method : undefined;
  const params = typeof msg.params === 'object' && msg.params !== null ? (msg.params as Record<string, unknown>) : {};
  const headerMethod = req.headers['mcp-method'];
  const headerName = req.headers['mcp-name'];
  if (Array.isArray(headerMethod) || Array.isArray(headerName)) return 'Mcp-Method and Mcp-Name may appear once';
  const key = method === undefined ? undefined : NAMED[method];
  const value = key === undefined ? undefined : params[key];
  const target = typeof value === 'string' ? value : undefined;
  if (headerMethod !== undefined) {
    if (headerMethod !== method) return 'the Mcp-Method header disagrees with the JSON-RPC method';
    if (key !== undefined && headerName === undefined) return `Mcp-Name is required with ${method}`;
  }
  if (headerName !== undefined && headerName !== target) return 'the Mcp-Name header disagrees with the JSON-RPC body';
  return { method, target };
}

/**
 * Express-style guard for an MCP endpoint, after `requireBearerAuth` and a JSON body parser. Every `tools/call`
 * is checked against the tool → scope map (a tool missing from the map is refused: fail closed), answered
 * 403 `insufficient_scope` with the scope it needs, and reported (tool, allowed/refused, why, grant; never
 * arguments); while the reporter's queue is full every `tools/call` is refused with 503 `unavailable`. `Mcp-Method` / `Mcp-Name` headers, when present, must agree with the JSON-RPC body.
 */
export function mcpToolGuard(o: { tools: ToolScopes; reporter?: Reporter; verifier: Verifier }) {
  const resourceMetadata = o.verifier.options.resourceMetadata;
  return function mandateMcpToolGuard(req: GuardedRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    const m = readMessage(req);
    if (typeof m === 'string') {
      badRequest(res, m);
      return;
    }
    if (m.method !== 'tools/call') {
      next();
      return;
    }
    const auth = req.auth;
    const grantId = typeof auth?.extra?.grantId === 'string' ? auth.extra.grantId : undefined;
    if (!auth || !grantId) {
      next(new TypeError('mcpToolGuard must run after requireBearerAuth with mcpTokenVerifier'));
      return;
    }
    try {
      o.reporter?.admit(); // the queue is full: refuse rather than run a call that cannot be recorded
    } catch (e) {
      if (!(e instanceof MandateTokenError)) throw e;
      sendTokenError(res, e);
      return;
    }
    const tool = m.target ?? '';
    const needed = o.tools[tool];
    if (needed !== undefined && auth.scopes.includes(needed)) {
      o.reporter?.record({ tool, outcome: 'allowed', grantId });
      next();
      return;
    }
    const reason = needed === undefined ? 'tool not in the scope map' : `needs ${needed}`;
    o.reporter?.record({ tool: tool.slice(0, 200) || '(none)', outcome: 'refused', reason, grantId });
    const message = needed === undefined ? `no scope allows the tool ${tool.slice(0, 80)}` : `the tool ${tool} needs scope ${needed}`;
    sendTokenError(res, new MandateTokenError('insufficient_scope', message, { scope: needed, resourceMetadata }));
  };
}
