/**
 * An MCP server built with the official SDK (1.32) that puts Mandate in front of its tools:
 * it publishes RFC 9728 protected-resource metadata naming Mandate as its authorization server, and accepts
 * only Mandate's RFC 9068 tokens addressed to itself — verified offline with Mandate's JWKS, then checked live
 * with introspection so a revoke in Mandate stops the very next call. Each tool needs one scope; a missing one
 * is a 403 `insufficient_scope` naming it, which MCP clients answer with a new authorization (step-up).
 *
 *   node --conditions=mandate-source --import tsx examples/mcp-server/main.ts   (see README.md here)
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as z from 'zod';

export interface ProtectedMcpOptions {
  /** Mandate's issuer, e.g. http://127.0.0.1:8787 */
  issuer: string;
  /** This server's MCP endpoint URL: the `resource` clients ask tokens for and the `aud` they must carry. */
  resource: string;
  /** This server's own resource-server client at Mandate (`mandate agents add --kind resource_server`), for introspection. */
  introspection: { clientId: string; clientSecret: string };
}

/** Tool → the scope a call needs. */
export const TOOL_SCOPES = { whoami: 'mcp.read', write_note: 'mcp.write', delete_notes: 'mcp.admin' } as const;
type ToolName = keyof typeof TOOL_SCOPES;

const claimsSchema = z.object({
  sub: z.string(),
  act: z.object({ sub: z.string() }),
  client_id: z.string(),
  aud: z.string(),
  scope: z.string(),
  grant_id: z.string(),
  exp: z.number(),
});
type Claims = z.infer<typeof claimsSchema>;

const toolCall = z.object({ method: z.literal('tools/call'), params: z.object({ name: z.string() }) });

function buildServer(claims: Claims): McpServer {
  const server = new McpServer({ name: 'mandate-example', version: '1.0.0' });
  const text = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value) }] });
  server.registerTool('whoami', { description: 'Who this call acts for, and with what (the token claims)' }, () =>
    text({ sub: claims.sub, act: claims.act, client_id: claims.client_id, aud: claims.aud, scope: claims.scope, grant_id: claims.grant_id, exp: claims.exp }),
  );
  server.registerTool('write_note', { description: 'Writes a note (needs mcp.write)' }, () => text({ written: true }));
  server.registerTool('delete_notes', { description: 'Deletes every note (needs mcp.admin)' }, () => text({ deleted: true }));
  return server;
}

/** The Hono app serving `/.well-known/oauth-protected-resource<path>` and the MCP endpoint at the resource's path. */
export function protectedMcpApp(opts: ProtectedMcpOptions) {
  const resource = new URL(opts.resource);
  const metadataUrl = `${resource.origin}/.well-known/oauth-protected-resource${resource.pathname}`;
  const jwks = createRemoteJWKSet(new URL(`${opts.issuer}/jwks.json`));
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(opts.introspection.clientId)}:${encodeURIComponent(opts.introspection.clientSecret)}`).toString('base64')}`;
  const prm = {
    resource: opts.resource,
    authorization_servers: [opts.issuer],
    scopes_supported: Object.values(TOOL_SCOPES),
    bearer_methods_supported: ['header'],
    resource_name: 'Mandate example MCP server',
  };
  const challenge = (status: 401 | 403, error: string, description: string, scope?: string) =>
    new Response(JSON.stringify({ error, error_description: description }), {
      status,
      headers: {
        'content-type': 'application/json',
        'www-authenticate': `Bearer error="${error}", error_description="${description}"${scope ? `, scope="${scope}"` : ''}, resource_metadata="${metadataUrl}"`,
      },
    });

  async function check(token: string): Promise<Claims | string> {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: opts.issuer, audience: opts.resource, typ: 'at+jwt', algorithms: ['ES256'] });
      const claims = claimsSchema.parse(payload);
      const res = await fetch(`${opts.issuer}/introspect`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
      const body = z.object({ active: z.boolean() }).parse(await res.json());
      return body.active ? claims : 'the token is no longer active (revoked or expired in Mandate)';
    } catch (e) {
      return `the token is not valid here: ${(e as Error).message}`;
    }
  }

  return new Hono()
    .get(`/.well-known/oauth-protected-resource${resource.pathname}`, (c) => c.json(prm))
    .get('/.well-known/oauth-protected-resource', (c) => c.json(prm))
    .all(resource.pathname, async (c) => {
      const header = c.req.header('authorization') ?? '';
      const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
      if (!m) return challenge(401, 'invalid_token', 'a Mandate access token is required');
      const claims = await check(m[1]!);
      if (typeof claims === 'string') return challenge(401, 'invalid_token', claims);
      const scopes = claims.scope.split(' ');
      const body: unknown =
        c.req.method === 'POST'
          ? await c.req.raw
              .clone()
              .json()
              .catch(() => undefined)
          : undefined;
      const call = toolCall.safeParse(body);
      if (call.success && call.data.params.name in TOOL_SCOPES) {
        const needed = TOOL_SCOPES[call.data.params.name as ToolName];
        if (!scopes.includes(needed)) return challenge(403, 'insufficient_scope', `${call.data.params.name} needs ${needed}`, [...scopes, needed].join(' '));
      }
      const server = buildServer(claims);
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      return transport.handleRequest(c.req.raw, {
        authInfo: { token: m[1]!, clientId: claims.client_id, scopes, expiresAt: claims.exp, resource, extra: { sub: claims.sub, grant_id: claims.grant_id } },
      });
    });
}
