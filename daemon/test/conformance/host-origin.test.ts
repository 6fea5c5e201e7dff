/**
 * Must-reject: requests that do not come to loopback on our port (DNS rebinding) or that come from a web
 * page (cross-site). Security checklist items 2 and 3.
 */
import { adminPath } from '#shared/admin-contract.js';
import { describe, expect, it } from 'vitest';
import { GRANT_TYPE_CIBA } from '#shared/oauth.js';
import { MAIL, auth, startTestDaemon, type TestDaemon } from '../harness.js';
import { pairExtension, proofKey } from '../extension-client.js';
import {
  agentCount,
  basicOf,
  dbSnapshot,
  expectError,
  expectRawError,
  post,
  rawRequest,
  rawSocket,
  sharedDaemon,
  sharedWorld,
  titled,
  type RawResponse,
} from './support.js';

const METADATA = '/.well-known/oauth-authorization-server';
const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const OTHER_EXTENSION = 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba';

const otherPort = (port: number) => (port === 65535 ? port - 1 : port + 1);

/** Sends one request with the given Host header to a public route, a read-only admin route, or a state-changing admin route. */
const targets: { name: string; send: (d: TestDaemon, host: string) => Promise<RawResponse> }[] = [
  { name: 'GET metadata (public)', send: (d, host) => rawRequest(d.port, { path: METADATA, headers: { host } }) },
  {
    name: 'GET /admin/session (admin)',
    send: (d, host) => rawRequest(d.port, { path: adminPath('session'), headers: { host, authorization: `Bearer ${d.adminToken}` } }),
  },
  {
    name: 'POST /admin/agents (admin, state-changing)',
    send: (d, host) =>
      rawRequest(d.port, {
        method: 'POST',
        path: adminPath('agents.list'),
        headers: { host, authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Rebound', scopes: ['mail.read'], resources: [MAIL] }),
      }),
  },
];

const badHosts: { name: string; host: (port: number) => string }[] = [
  { name: 'a rebinding name on our port', host: (p) => `evil.example:${p}` },
  { name: 'loopback on another port', host: (p) => `127.0.0.1:${otherPort(p)}` },
  { name: 'loopback without a port', host: () => '127.0.0.1' },
  { name: 'localhost as a subdomain of an attacker name', host: (p) => `localhost.evil.example:${p}` },
  { name: 'the unspecified address', host: (p) => `0.0.0.0:${p}` },
];

describe('Host header must name loopback on our port', () => {
  const rows = badHosts.flatMap((h) => targets.map((t) => ({ ...t, hostName: h.name, host: h.host })));
  const shared = sharedDaemon(async (d) => d);

  it.each(titled(rows, (r) => `${r.hostName} → 403 invalid_request on ${r.name}, nothing written`))('%s', async (_title, { send, host }) => {
    const d = shared();
    const before = dbSnapshot(d);
    const res = await send(d, host(d.port));
    expectRawError(res, 403, 'invalid_request');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(dbSnapshot(d)).toBe(before);
  });

  it.each(
    titled(
      [
        { name: 'GET metadata (public)', path: METADATA },
        { name: 'GET /admin/session (admin)', path: adminPath('session') },
      ],
      (r) => `missing Host (HTTP/1.0, absolute-form target) → 400 invalid_request on ${r.name}, from the listener before any route`,
    ),
  )('%s', async (_title, { path }) => {
    const d = shared();
    const res = await rawSocket(d.port, `GET http://127.0.0.1:${d.port}${path} HTTP/1.0\r\nAuthorization: Bearer ${d.adminToken}\r\n\r\n`);
    expectRawError(res, 400, 'invalid_request');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each(
    titled(
      [
        { name: 'ours first', hosts: (p: number) => [`127.0.0.1:${p}`, `evil.example:${p}`] },
        { name: 'a rebinding name first', hosts: (p: number) => [`evil.example:${p}`, `127.0.0.1:${p}`] },
        { name: 'ours twice', hosts: (p: number) => [`127.0.0.1:${p}`, `127.0.0.1:${p}`] },
      ],
      (r) => `two Host fields (${r.name}) → 400 invalid_request, from the listener before any route (RFC 9112 §3.2)`,
    ),
  )('%s', async (_title, { hosts }) => {
    const d = shared();
    const fields = hosts(d.port)
      .map((h) => `Host: ${h}\r\n`)
      .join('');
    const res = await rawSocket(d.port, `GET ${METADATA} HTTP/1.1\r\n${fields}Connection: close\r\n\r\n`);
    expectRawError(res, 400, 'invalid_request');
  });

  it('missing Host (HTTP/1.1) is refused before it reaches any route: 400, no daemon answer', async () => {
    const d = shared();
    const res = await rawRequest(d.port, { path: adminPath('session'), headers: { authorization: `Bearer ${d.adminToken}` } });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('issuer');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('control: the same raw requests with a loopback Host on our port are answered', async () => {
    const d = shared();
    for (const host of [`127.0.0.1:${d.port}`, `localhost:${d.port}`]) {
      expect((await rawRequest(d.port, { path: METADATA, headers: { host } })).status).toBe(200);
      expect((await rawRequest(d.port, { path: adminPath('session'), headers: { host, authorization: `Bearer ${d.adminToken}` } })).status).toBe(200);
    }
  });
});

const webOrigins: { name: string; origin: (port: number) => string }[] = [
  { name: 'a foreign web page', origin: () => 'https://evil.example' },
  { name: 'an opaque origin (sandboxed iframe, file:)', origin: () => 'null' },
  { name: 'a page served from localhost on our port', origin: (p) => `http://localhost:${p}` },
  { name: 'a page served from 127.0.0.1 on our port', origin: (p) => `http://127.0.0.1:${p}` },
  { name: 'a file: URL', origin: () => 'file://' },
];

describe('a web page Origin is refused everywhere', () => {
  const shared = sharedWorld();

  it.each(titled(webOrigins, (r) => `${r.name} → 403 access_denied on an admin route, nothing written`))('%s', async (_title, { origin }) => {
    const { d } = shared();
    const before = dbSnapshot(d);
    await expectError(await d.admin('GET', '/session', undefined, { origin: origin(d.port) }), 403, 'access_denied');
    await expectError(
      await d.admin('POST', '/agents', { name: 'From a page', scopes: ['mail.read'], resources: [MAIL] }, { origin: origin(d.port) }),
      403,
      'access_denied',
    );
    await expectError(await d.admin('POST', '/grants/revoke-all', {}, { origin: origin(d.port) }), 403, 'access_denied');
    expect(dbSnapshot(d)).toBe(before);
  });

  it.each(titled(webOrigins, (r) => `${r.name} → 403 access_denied on /token and /bc-authorize with valid client credentials, nothing written`))(
    '%s',
    async (_title, { origin }) => {
      const { d, agent, authReqId } = shared();
      const before = dbSnapshot(d);
      const o = { origin: origin(d.port) };
      await expectError(await d.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, auth(agent), o), 403, 'access_denied');
      await expectError(await d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL }, auth(agent), o), 403, 'access_denied');
      expect(dbSnapshot(d)).toBe(before);
    },
  );

  it.each(titled(webOrigins, (r) => `${r.name} → 403 access_denied on the public metadata route`))('%s', async (_title, { origin }) => {
    const { d } = shared();
    await expectError(await fetch(d.url + METADATA, { headers: { origin: origin(d.port) } }), 403, 'access_denied');
  });

  it.each(titled(webOrigins, (r) => `${r.name} → 403 access_denied on /admin/pair, and the code is not used up`))('%s', async (_title, { origin }) => {
    const d = await startTestDaemon(); // its own: every pairing attempt counts against the limit
    const { jwk } = await proofKey();
    await expectError(
      await post(d, adminPath('pair'), JSON.stringify({ code: d.pairingCode.code, jwk }), { 'content-type': 'application/json', origin: origin(d.port) }),
      403,
      'access_denied',
    );
    await pairExtension(d);
  });
});

describe('an extension Origin needs a credential paired from that origin', () => {
  it('the CLI credential (paired from no origin) sent from an extension origin → 403 access_denied', async () => {
    const d = await startTestDaemon();
    await expectError(await d.admin('GET', '/session', undefined, { origin: EXTENSION }), 403, 'access_denied');
    await expectError(
      await d.admin('POST', '/agents', { name: 'Via extension', scopes: ['mail.read'], resources: [MAIL] }, { origin: EXTENSION }),
      403,
      'access_denied',
    );
    expect(await agentCount(d)).toBe(0);
  });

  it('a credential paired from one extension, used from another extension origin → 403 access_denied', async () => {
    const d = await startTestDaemon();
    const ext = await pairExtension(d, { origin: EXTENSION });
    const headers = { origin: OTHER_EXTENSION };
    await expectError(await ext.request('GET', '/session', undefined, { headers }), 403, 'access_denied');
    await expectError(await ext.request('POST', '/agents', { name: 'Other ext', scopes: ['mail.read'], resources: [MAIL] }, { headers }), 403, 'access_denied');
    expect(await agentCount(d)).toBe(0);
  });

  it('control: that credential from its own extension origin is accepted', async () => {
    const d = await startTestDaemon();
    const ext = await pairExtension(d, { origin: EXTENSION });
    const res = await ext.request('GET', '/session');
    expect(res.status).toBe(200);
  });
});

describe('no CORS grant on any answer', () => {
  it('no Access-Control-Allow-* header on successes, refusals and preflights', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token } = await d.approvedToken(agent);
    const responses: Response[] = [
      await fetch(d.url + METADATA),
      await fetch(d.url + METADATA, { headers: { origin: EXTENSION } }),
      await fetch(`${d.url}/jwks.json`, { headers: { origin: 'https://evil.example' } }),
      await d.admin('GET', '/session'),
      await d.admin('GET', '/grants', undefined, { origin: EXTENSION }),
      await d.form('/introspect', { token }, auth(agent), { origin: EXTENSION }),
      await d.form('/introspect', { token }, auth(agent)),
      await post(d, '/token', 'grant_type=x', { 'content-type': 'application/x-www-form-urlencoded', authorization: basicOf(agent) }),
    ];
    for (const [path, origin] of [
      [adminPath('agents.list'), EXTENSION],
      [adminPath('agents.list'), 'https://evil.example'],
      ['/token', EXTENSION],
      ['/token', 'https://evil.example'],
    ] as const) {
      const preflight = await fetch(d.url + path, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(preflight.status, `preflight ${path} from ${origin}`).toBeGreaterThanOrEqual(400);
      responses.push(preflight);
    }
    for (const res of responses) {
      const names = [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));
      expect(names, `${res.url} ${res.status}`).toEqual([]);
      await res.body?.cancel();
    }
  });
});
