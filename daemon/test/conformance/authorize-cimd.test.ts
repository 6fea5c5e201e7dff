/**
 * Client ID metadata documents: a valid one is fetched, cached and shown as claimed; wrong, oversized, slow,
 * redirecting and private-address documents are refused with invalid_client, shown directly, nothing written.
 * The documents are served on http loopback, which only the test option allows (never https to a private address).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP, REDIRECT, authorizeUrl, browse, comeBack, mcpDaemon, okTokens, pkce, redeem, startFlow } from './authorize-support.js';
import { dbSnapshot, expectError, pendingRequests } from './support.js';

let server: Server;
let base = '';
let hits = 0;
let rename: (name: string) => void = () => {};
const docs = new Map<string, (url: string) => { status?: number; headers?: Record<string, string>; body?: string; delayMs?: number }>();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    const url = `${base}${req.url ?? ''}`;
    const make = docs.get(req.url ?? '');
    if (!make) {
      res.writeHead(404).end();
      return;
    }
    const r = make(url);
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body ?? '');
    };
    if (r.delayMs) setTimeout(send, r.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const doc = (url: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ client_id: url, client_name: 'Doc client', redirect_uris: [REDIRECT], ...extra });
  docs.set('/good.json', (url) => ({ body: doc(url) }));
  docs.set('/other-id.json', () => ({ body: doc(`${base}/good.json`) }));
  docs.set('/no-redirects.json', (url) => ({ body: JSON.stringify({ client_id: url, client_name: 'x' }) }));
  docs.set('/secret.json', (url) => ({ body: doc(url, { client_secret: 'shh' }) }));
  docs.set('/confidential.json', (url) => ({ body: doc(url, { token_endpoint_auth_method: 'client_secret_basic' }) }));
  docs.set('/not-json.json', () => ({ body: '<html>' }));
  docs.set('/html.json', (url) => ({ headers: { 'content-type': 'text/html' }, body: doc(url) }));
  docs.set('/big.json', (url) => ({ body: doc(url, { padding: 'x'.repeat(6000) }) }));
  docs.set('/slow.json', (url) => ({ body: doc(url), delayMs: 5000 }));
  docs.set('/redirect.json', () => ({ status: 302, headers: { location: `${base}/good.json` } }));
  docs.set('/missing.json', () => ({ status: 404 }));
  docs.set('/bidi-name.json', (url) => ({ body: doc(url, { client_name: 'Safe\u202Eeman' }) }));
  let renamed = 'Old name';
  docs.set('/renamed.json', (url) => ({ body: doc(url, { client_name: renamed }) }));
  rename = (name) => {
    renamed = name;
  };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a valid client metadata document', () => {
  it('is fetched once, shown as claimed, and its client completes the flow as a public client', async () => {
    const d = await mcpDaemon();
    const clientId = `${base}/good.json`;
    const start = hits;
    const s = await startFlow(d, clientId);
    const pending = (await pendingRequests(d)).find((g) => g.id === s.grantId)!;
    expect(pending.agent).toEqual({ client_id: clientId, name: `Doc client (claimed by ${new URL(base).host}, not verified)` });
    await d.admin('POST', `/requests/${s.grantId}/approve`, {});
    const code = (await comeBack(s.waitUrl)).searchParams.get('code')!;
    const tokens = await okTokens(await redeem(d, clientId, code, s.verifier));
    expect(tokens.scope).toBe('mcp.read mcp.write');
    await startFlow(d, clientId);
    expect(hits - start).toBe(1); // cached
  });

  it('is fetched again once its cache time is over, and a new client_name shows on the next request', async () => {
    const d = await mcpDaemon({ mcpClients: { metadataFetch: { allowHttpLoopback: true, timeoutMs: 1000, maxBytes: 5 * 1024 }, metadataCacheSeconds: 0 } });
    const clientId = `${base}/renamed.json`;
    const host = new URL(base).host;
    const first = await startFlow(d, clientId);
    expect((await pendingRequests(d)).find((g) => g.id === first.grantId)!.agent.name).toBe(`Old name (claimed by ${host}, not verified)`);
    rename('New name');
    const second = await startFlow(d, clientId);
    expect((await pendingRequests(d)).find((g) => g.id === second.grantId)!.agent.name).toBe(`New name (claimed by ${host}, not verified)`);
  });
});

describe('refused documents (400 invalid_client, no redirect, nothing written)', () => {
  const cases: [string, string][] = [
    ['client_id in the document differs from its URL', '/other-id.json'],
    ['no redirect_uris', '/no-redirects.json'],
    ['a client_secret inside', '/secret.json'],
    ['a confidential auth method', '/confidential.json'],
    ['not JSON', '/not-json.json'],
    ['served as text/html', '/html.json'],
    ['larger than 5 KiB', '/big.json'],
    ['slower than the fetch timeout', '/slow.json'],
    ['answered with a redirect', '/redirect.json'],
    ['answered 404', '/missing.json'],
    ['a name with bidi controls', '/bidi-name.json'],
  ];
  it.each(cases)('%s', async (_t, path) => {
    const d = await mcpDaemon();
    const before = dbSnapshot(d);
    const res = await browse(authorizeUrl(d, `${base}${path}`, pkce().challenge));
    expect(res.headers.get('location')).toBeNull();
    await expectError(res, 400, 'invalid_client');
    expect(dbSnapshot(d)).toBe(before);
  });

  const privateCases: [string, string][] = [
    ['https to 127.0.0.1', 'https://127.0.0.1/client.json'],
    ['https to localhost', 'https://localhost/client.json'],
    ['https to 10.0.0.1', 'https://10.0.0.1/client.json'],
    ['https to 169.254.169.254 (cloud metadata)', 'https://169.254.169.254/latest/meta-data.json'],
    ['https to 192.168.1.1', 'https://192.168.1.1/client.json'],
    ['https to [::1]', 'https://[::1]/client.json'],
    ['https to an IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/client.json'],
    ['plain http to a public host', 'http://client.example/client.json'],
    ['a URL without a path', 'https://client.example/'],
  ];
  it.each(privateCases)('%s → never fetched', async (_t, clientId) => {
    const d = await mcpDaemon();
    const before = dbSnapshot(d);
    const res = await browse(authorizeUrl(d, clientId, pkce().challenge));
    const body = await expectError(res, 400, 'invalid_client');
    expect(body.error_description).toMatch(/private address|https|path/);
    expect(dbSnapshot(d)).toBe(before);
  });

  it('without the test option, even http loopback documents are refused', async () => {
    const d = await mcpDaemon({ mcpClients: { metadataFetch: { allowHttpLoopback: false, timeoutMs: 1000, maxBytes: 5120 } } });
    const start = hits;
    await expectError(await browse(authorizeUrl(d, `${base}/good.json`, pkce().challenge)), 400, 'invalid_client');
    expect(hits).toBe(start);
  });
});

describe('resource with a document client', () => {
  it('still needs a registered resource', async () => {
    const d = await mcpDaemon();
    const res = await browse(authorizeUrl(d, `${base}/good.json`, pkce().challenge, { resource: 'https://unregistered.example/' }));
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_target');
    expect(MCP).toBeTruthy();
  });
});
