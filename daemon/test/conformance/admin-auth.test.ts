/**
 * Must-reject: admin routes without a valid paired credential, admin state changes that a web page could send
 * without a CORS preflight, and state changes through GET. Security checklist items 3 and 4.
 */
import { ADMIN_PREFIX, adminPath } from '#shared/admin-contract.js';
import { describe, expect, it } from 'vitest';
import { MAIL, basic, startTestDaemon, type TestDaemon } from '../harness.js';
import { EXTENSION_ORIGIN, pairExtension, proofKey } from '../extension-client.js';
import { agentCount, allGrants, dbSnapshot, expectError, grantById, pendingRequests, post, sharedWorld, titled } from './support.js';

const NEW_AGENT = { name: 'Mail helper', scopes: ['mail.read'], resources: [MAIL] };

/** One read-only and several state-changing admin routes; each must refuse before doing anything. */
const routes: { name: string; method: string; path: string; body?: unknown }[] = [
  { name: 'GET /admin/session', method: 'GET', path: '/session' },
  { name: 'GET /admin/requests', method: 'GET', path: '/requests' },
  { name: 'GET /admin/audit', method: 'GET', path: '/audit' },
  { name: 'POST /admin/agents', method: 'POST', path: '/agents', body: NEW_AGENT },
  { name: 'POST /admin/grants/revoke-all', method: 'POST', path: '/grants/revoke-all', body: {} },
  { name: 'POST /admin/pairing-codes', method: 'POST', path: '/pairing-codes', body: {} },
];

const badAuth: { name: string; header: (d: TestDaemon) => string | undefined }[] = [
  { name: 'no Authorization header', header: () => undefined },
  { name: 'the Basic scheme carrying the real credential', header: (d) => basic('cli', d.adminToken) },
  { name: 'the real credential without a scheme', header: (d) => d.adminToken },
  { name: 'an empty Bearer', header: () => 'Bearer ' },
  { name: 'an unknown Bearer credential', header: () => `Bearer mcli_${'A'.repeat(43)}` },
  { name: 'the real credential with one character changed', header: (d) => `Bearer ${d.adminToken.slice(0, -1)}${d.adminToken.endsWith('A') ? 'B' : 'A'}` },
  { name: 'an over-long credential', header: (d) => `Bearer ${d.adminToken}${'A'.repeat(300)}` },
];

function call(d: TestDaemon, route: (typeof routes)[number], authorization: string | undefined): Promise<Response> {
  return fetch(`${d.url}/admin${route.path}`, {
    method: route.method,
    headers: {
      ...(authorization !== undefined ? { authorization } : {}),
      ...(route.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(route.body !== undefined ? { body: JSON.stringify(route.body) } : {}),
  });
}

describe('admin routes need a paired credential', () => {
  // One shared daemon per route: its rows make at most 3 unknown-credential failures, far below the limit of 20.
  describe.each(titled(routes, (r) => `on ${r.name}`))('%s', (_route, route) => {
    const shared = sharedWorld();

    it.each(titled(badAuth, (a) => `${a.name} → 401 invalid_token with WWW-Authenticate: Bearer, nothing written`))('%s', async (_title, bad) => {
      const { d } = shared();
      const before = dbSnapshot(d);
      const res = await call(d, route, bad.header(d));
      expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer /);
      await expectError(res, 401, 'invalid_token');
      expect(dbSnapshot(d)).toBe(before);
    });
  });

  it('the CLI credential of a previous daemon run → 401 invalid_token (rotated at start-up)', async () => {
    const d = await startTestDaemon();
    const old = d.adminToken;
    const d2 = await d.restart();
    const res = await fetch(`${d2.url}/admin/session`, { headers: { authorization: `Bearer ${old}` } });
    expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer /);
    await expectError(res, 401, 'invalid_token');
    expect((await d2.admin('GET', '/session')).status).toBe(200);
  });

  it('a revoked extension credential → 401 invalid_token', async () => {
    const d = await startTestDaemon();
    const ext = await pairExtension(d);
    expect((await ext.request('GET', '/session')).status).toBe(200);
    expect((await d.admin('DELETE', `/credentials/${ext.credential_id}`)).status).toBe(200);
    const res = await ext.request('POST', '/agents', NEW_AGENT);
    expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer /);
    await expectError(res, 401, 'invalid_token');
    expect(await agentCount(d)).toBe(0);
  });

  it('unknown credentials are throttled: the 20th failure within a minute → 429 temporarily_unavailable with Retry-After', async () => {
    const d = await startTestDaemon();
    const guess = (i: number) => fetch(`${d.url}/admin/session`, { headers: { authorization: `Bearer mcli_guess${i}` } });
    for (let i = 1; i < 20; i++) await expectError(await guess(i), 401, 'invalid_token');
    for (const i of [20, 21]) {
      const res = await guess(i);
      const retryAfter = Number(res.headers.get('retry-after'));
      await expectError(res, 429, 'temporarily_unavailable');
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // No lockout: the person's own credential still passes while the guesser is throttled.
    expect((await d.admin('GET', '/session')).status).toBe(200);
  });
});

describe('admin state changes take JSON only (a web page cannot skip the CORS preflight)', () => {
  // The content types a page can send cross-origin without a preflight (fetch no-cors, any body), plus none at
  // all. The body is always valid JSON, so only the content type can be the reason for the refusal.
  const simpleBodies: { name: string; headers: Record<string, string>; body: (json: string) => NonNullable<RequestInit['body']> }[] = [
    { name: 'text/plain', headers: { 'content-type': 'text/plain' }, body: (json) => json },
    { name: 'text/plain;charset=UTF-8', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: (json) => json },
    { name: 'application/x-www-form-urlencoded', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: (json) => json },
    { name: 'multipart/form-data', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: (json) => json },
    { name: 'no content type', headers: {}, body: (json) => new TextEncoder().encode(json) },
  ];

  const shared = sharedWorld();
  const setup = () => {
    const w = shared();
    return { d: w.d, grantId: w.grantId, pendingId: w.authReqId };
  };

  const send = (d: TestDaemon, path: string, json: string, ct: (typeof simpleBodies)[number]) =>
    post(d, ADMIN_PREFIX + path, ct.body(json), { authorization: `Bearer ${d.adminToken}`, ...ct.headers });

  it.each(titled(simpleBodies, (r) => `${r.name} on POST /admin/agents → 400 invalid_request, no agent registered`))('%s', async (_title, ct) => {
    const { d } = setup();
    const before = await agentCount(d);
    await expectError(await send(d, '/agents', JSON.stringify(NEW_AGENT), ct), 400, 'invalid_request');
    expect(await agentCount(d)).toBe(before);
  });

  it.each(titled(simpleBodies, (r) => `${r.name} on POST /admin/requests/:id/approve → 400 invalid_request, request still pending`))(
    '%s',
    async (_title, ct) => {
      const { d, pendingId } = setup();
      await expectError(await send(d, `/requests/${pendingId}/approve`, '{}', ct), 400, 'invalid_request');
      expect((await pendingRequests(d)).map((g) => g.status)).toEqual(['pending']);
    },
  );

  it.each(titled(simpleBodies, (r) => `${r.name} on POST /admin/requests/:id/deny → 400 invalid_request, request still pending`))('%s', async (_title, ct) => {
    const { d, pendingId } = setup();
    await expectError(await send(d, `/requests/${pendingId}/deny`, '{}', ct), 400, 'invalid_request');
    expect((await pendingRequests(d)).map((g) => g.status)).toEqual(['pending']);
  });

  it.each(titled(simpleBodies, (r) => `${r.name} on POST /admin/grants/:id/revoke → 400 invalid_request, grant still approved`))('%s', async (_title, ct) => {
    const { d, grantId } = setup();
    await expectError(await send(d, `/grants/${grantId}/revoke`, '{}', ct), 400, 'invalid_request');
    expect((await grantById(d, grantId)).status).toBe('approved');
  });

  it.each(titled(simpleBodies, (r) => `${r.name} on POST /admin/grants/revoke-all → 400 invalid_request, grant still approved`))('%s', async (_title, ct) => {
    const { d, grantId } = setup();
    await expectError(await send(d, '/grants/revoke-all', '{}', ct), 400, 'invalid_request');
    expect((await grantById(d, grantId)).status).toBe('approved');
  });

  it.each(titled(simpleBodies, (r) => `${r.name} on POST /admin/pair → 400 invalid_request, the code still works`))('%s', async (_title, ct) => {
    // a daemon of its own: every pairing attempt counts against the limit of 5 a minute
    const d = await startTestDaemon();
    const json = JSON.stringify({ code: d.pairingCode.code, jwk: (await proofKey()).jwk });
    await expectError(await post(d, adminPath('pair'), ct.body(json), { ...ct.headers, origin: EXTENSION_ORIGIN }), 400, 'invalid_request');
    await pairExtension(d);
  });
});

describe('GET never changes state', () => {
  const shared = sharedWorld();

  it.each(
    titled(
      [
        { name: 'GET /admin/requests/:id/approve', path: (p: string) => `/requests/${p}/approve` },
        { name: 'GET /admin/requests/:id/approve?scope=mail.read', path: (p: string) => `/requests/${p}/approve?scope=mail.read` },
        { name: 'GET /admin/requests/:id/deny', path: (p: string) => `/requests/${p}/deny` },
        { name: 'GET /admin/grants/:id/revoke', path: (_p: string, g: string) => `/grants/${g}/revoke` },
        { name: 'GET /admin/grants/revoke-all', path: () => '/grants/revoke-all' },
        { name: 'GET /admin/pairing-codes', path: () => '/pairing-codes' },
        { name: 'GET /admin/pair?code=…', path: (_p: string, _g: string, code: string) => `/pair?code=${code}` },
        { name: 'GET /admin/agents?name=…&scopes=…', path: () => `/agents/new?name=x&scopes=mail.read&resources=${encodeURIComponent(MAIL)}` },
      ],
      (r) => `${r.name} → 404 not_found and nothing written`,
    ),
  )('%s', async (_title, { path }) => {
    // The clock never moves, so the credential's last_used_at (stamped at most once a minute) stays put too.
    const { d, grantId, authReqId } = shared();
    const before = dbSnapshot(d);
    await expectError(await d.admin('GET', path(authReqId, grantId, d.pairingCode.code)), 404, 'not_found');
    expect(dbSnapshot(d)).toBe(before);
    expect((await pendingRequests(d)).length).toBe(1);
    expect((await grantById(d, grantId)).status).toBe('approved');
  });

  it('every read-only admin route leaves the database byte-for-byte unchanged', async () => {
    const { d, grantId } = shared();
    const before = dbSnapshot(d);
    for (const path of ['/session', '/requests', '/grants', '/grants?all=true', `/grants/${grantId}`, '/agents', '/credentials', '/audit', '/audit/verify']) {
      const res = await d.admin('GET', path);
      expect(res.status, path).toBe(200);
      await res.body?.cancel();
    }
    expect(dbSnapshot(d)).toBe(before);
    expect((await allGrants(d)).map((g) => g.status).sort()).toEqual(['approved', 'pending']);
  });
});
