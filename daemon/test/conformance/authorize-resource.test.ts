/** Must-reject: resource missing, malformed or not registered; scope beyond the resource server's list. */
import { describe, expect, it } from 'vitest';
import { authorizeUrl, browse, mcpDaemon, pkce, redirectedError, registerClient } from './authorize-support.js';
import { pendingRequests } from './support.js';

describe('/authorize names a registered resource (RFC 8707)', () => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    ['resource missing', { resource: undefined }, 'invalid_target'],
    ['resource not registered', { resource: 'https://unknown.example/mcp' }, 'invalid_target'],
    ['resource with a fragment', { resource: 'https://mcp.example/mcp#x' }, 'invalid_target'],
    ['scope beyond what the resource server lists', { scope: 'mcp.read files.delete' }, 'invalid_scope'],
    ['scope with bad syntax', { scope: 'mcp.read "x"' }, 'invalid_scope'],
    ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
  ];
  it.each(cases)('%s → redirected error, no request', async (_t, extra, code) => {
    const d = await mcpDaemon();
    const client = await registerClient(d);
    const res = await browse(authorizeUrl(d, client.client_id, pkce().challenge, extra));
    expect(redirectedError(res)).toMatchObject({ error: code, state: 'st-1' });
    expect(await pendingRequests(d)).toEqual([]);
  });

  it('a blocked agent (policy) → error=unauthorized_client, no request', async () => {
    const d = await mcpDaemon({ policy: { policy: { blockedAgents: ['Test MCP client (registered itself, not verified)'] }, path: null } });
    const client = await registerClient(d);
    const res = await browse(authorizeUrl(d, client.client_id, pkce().challenge));
    expect(redirectedError(res).error).toBe('unauthorized_client');
    expect(await pendingRequests(d)).toEqual([]);
  });
});
