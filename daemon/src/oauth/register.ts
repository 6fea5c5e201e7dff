import { Hono } from 'hono';
import type { McpClients } from '../clients/mcp-clients.js';
import { readText } from '../http/body.js';
import { OAuthError, badRequest } from '../http/errors.js';
import { requestHeader } from '../http/incoming.js';
import { OAUTH_PATHS } from './metadata.js';

/** RFC 7591 dynamic client registration (deprecated by MCP 2026-07-28, still used by many clients). */
export function registerRoute(clients: McpClients) {
  return new Hono().post(OAUTH_PATHS.register, async (c) => {
    const type = (requestHeader(c, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw badRequest('body must be application/json');
    let body: unknown;
    try {
      body = JSON.parse(await readText(c));
    } catch {
      throw new OAuthError(400, 'invalid_client_metadata', 'body is not valid JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OAuthError(400, 'invalid_client_metadata', 'body must be a JSON object');
    return c.json(clients.register(body), 201);
  });
}
