/**
 * Must-reject: an extension credential is useless on its own (issue 8 §4). It needs the Origin of the extension
 * it was paired from and a fresh DPoP proof (RFC 9449) signed by the key it was paired with, for this method and
 * URL, not replayed. The CLI credential keeps Bearer and cannot push the browser's policy.
 * Security checklist items 3, 4 and 10.
 */
import { describe, expect, it } from 'vitest';
import { MAIL, startTestDaemon, type TestDaemon } from '../harness.js';
import { dpopProof, pairExtension, proofKey, type PairedExtension, type ProofOptions } from '../extension-client.js';
import { agentCount, dbSnapshot, expectError, sharedDaemon, titled } from './support.js';

const NEW_AGENT = { name: 'Mail helper', scopes: ['mail.read'], resources: [MAIL] };
const other = await proofKey();

interface Bad {
  name: string;
  status: 401 | 403;
  code: 'invalid_token' | 'invalid_dpop_proof' | 'access_denied';
  proof?: (ext: PairedExtension, d: TestDaemon) => ProofOptions;
  headers?: (ext: PairedExtension, d: TestDaemon) => Promise<Record<string, string | undefined>> | Record<string, string | undefined>;
}

const bad: Bad[] = [
  {
    name: 'the extension credential as Bearer with no proof (what a port squatter captured)',
    status: 401,
    code: 'invalid_token',
    headers: (e) => ({ authorization: `Bearer ${e.credential}`, dpop: undefined, origin: undefined }),
  },
  {
    name: 'the extension credential as Bearer from its own Origin',
    status: 401,
    code: 'invalid_token',
    headers: (e) => ({ authorization: `Bearer ${e.credential}`, dpop: undefined }),
  },
  { name: 'DPoP scheme without a DPoP proof header', status: 401, code: 'invalid_dpop_proof', headers: () => ({ dpop: undefined }) },
  { name: 'an empty DPoP header', status: 401, code: 'invalid_dpop_proof', headers: () => ({ dpop: '' }) },
  { name: 'a DPoP header that is not a JWT', status: 401, code: 'invalid_dpop_proof', headers: () => ({ dpop: 'not.a.jwt' }) },
  {
    name: 'two DPoP proofs in one header',
    status: 401,
    code: 'invalid_dpop_proof',
    headers: async (e) => ({ dpop: `${(await e.headersFor('POST', '/agents')).dpop}, ${(await e.headersFor('POST', '/agents')).dpop}` }),
  },
  { name: 'a proof for another method (GET)', status: 401, code: 'invalid_dpop_proof', proof: () => ({ htm: 'GET' }) },
  { name: 'a proof for another URL (/admin/session)', status: 401, code: 'invalid_dpop_proof', proof: (_e, d) => ({ htu: `${d.url}/admin/session` }) },
  { name: 'a proof for another port', status: 401, code: 'invalid_dpop_proof', proof: (_e, d) => ({ htu: `http://127.0.0.1:${d.port + 1}/admin/agents` }) },
  { name: 'a proof signed by another key (its own jwk in the header)', status: 401, code: 'invalid_dpop_proof', proof: () => ({ signWith: other }) },
  {
    name: 'a proof signed by another key naming the bound key in its jwk header',
    status: 401,
    code: 'invalid_dpop_proof',
    proof: (e) => ({ signWith: { keys: other.keys, jwk: e.key.jwk } }),
  },
  { name: 'a stale proof (iat 61 s ago)', status: 401, code: 'invalid_dpop_proof', proof: (_e, d) => ({ iat: d.clock() - 61 }) },
  { name: 'a proof from the future (iat in 61 s)', status: 401, code: 'invalid_dpop_proof', proof: (_e, d) => ({ iat: d.clock() + 61 }) },
  { name: 'a proof bound to another credential (ath)', status: 401, code: 'invalid_dpop_proof', proof: () => ({ ath: 'x'.repeat(43) }) },
  { name: 'a proof with typ JWT instead of dpop+jwt', status: 401, code: 'invalid_dpop_proof', proof: () => ({ typ: 'JWT' }) },
  { name: 'a proof with a short jti', status: 401, code: 'invalid_dpop_proof', proof: () => ({ jti: 'abc' }) },
  { name: 'a valid proof but no Origin (state change)', status: 403, code: 'access_denied', headers: () => ({ origin: undefined }) },
  {
    name: 'a valid proof from another extension Origin',
    status: 403,
    code: 'access_denied',
    headers: () => ({ origin: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba' }),
  },
];

describe('an extension credential needs its Origin and a DPoP proof by its own key', () => {
  const shared = sharedDaemon(async (d) => ({ d, ext: await pairExtension(d) }));

  it.each(titled(bad, (b) => `${b.name} → ${b.status} ${b.code} on POST /admin/agents, nothing written`))('%s', async (_title, b) => {
    const { d, ext } = shared();
    const before = dbSnapshot(d);
    const res = await ext.request('POST', '/agents', NEW_AGENT, {
      ...(b.proof ? { proof: b.proof(ext, d) } : {}),
      ...(b.headers ? { headers: await b.headers(ext, d) } : {}),
    });
    if (b.status === 401) expect(res.headers.get('www-authenticate') ?? '').toContain('DPoP');
    await expectError(res, b.status, b.code);
    expect(dbSnapshot(d)).toBe(before);
  });

  it('a valid proof but no Origin on a state change (POST /admin/requests/:id/deny) → 403 access_denied, request still pending', async () => {
    const { d, ext } = shared();
    const agent = await d.registerAgent({ name: 'Origin probe' });
    const id = await d.request(agent);
    await expectError(await ext.request('POST', `/requests/${id}/deny`, {}, { headers: { origin: undefined } }), 403, 'access_denied');
    expect((await (await d.admin('GET', `/grants/${id}`)).json()) as { status: string }).toMatchObject({ status: 'pending' });
  });

  it('reads: Chromium sends no Origin on an extension GET, so a GET with a valid proof and no Origin is answered; a foreign Origin is not', async () => {
    const { ext } = shared();
    expect((await ext.request('GET', '/session', undefined, { headers: { origin: undefined } })).status).toBe(200);
    await expectError(
      await ext.request('GET', '/session', undefined, { headers: { origin: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba' } }),
      403,
      'access_denied',
    );
    await expectError(await ext.request('GET', '/session', undefined, { headers: { origin: undefined }, proof: { htm: 'POST' } }), 401, 'invalid_dpop_proof');
  });

  it('control: the same request with a good proof registers the agent', async () => {
    const { d, ext } = shared();
    const before = await agentCount(d);
    expect((await ext.request('POST', '/agents', { ...NEW_AGENT, name: 'Control' })).status).toBe(201);
    expect(await agentCount(d)).toBe(before + 1);
  });
});

describe('a DPoP proof works once', () => {
  it('a replayed proof (same jti) → 401 invalid_dpop_proof, nothing written', async () => {
    const d = await startTestDaemon();
    const ext = await pairExtension(d);
    const headers = { ...(await ext.headersFor('POST', '/agents')), 'content-type': 'application/json' };
    const send = (name: string) => fetch(`${d.url}/admin/agents`, { method: 'POST', headers, body: JSON.stringify({ ...NEW_AGENT, name }) });
    expect((await send('First')).status).toBe(201);
    const before = dbSnapshot(d);
    await expectError(await send('Replayed'), 401, 'invalid_dpop_proof');
    expect(dbSnapshot(d)).toBe(before);
    expect(await agentCount(d)).toBe(1);
  });

  it('a replayed proof on approve, after the clock moved within the window → 401 invalid_dpop_proof, request still pending', async () => {
    const d = await startTestDaemon();
    const ext = await pairExtension(d);
    const agent = await d.registerAgent();
    const pending = [await d.request(agent), await d.request(agent)];
    const path = `/requests/${pending[0]}/approve`;
    const headers = { ...(await ext.headersFor('POST', path)), 'content-type': 'application/json' };
    d.clock.advance(30);
    await expectError(
      await fetch(`${d.url}/admin${path}`, { method: 'POST', headers, body: '{}' }).then(async (r) => {
        expect(r.status).toBe(200); // the first use
        return fetch(`${d.url}/admin${path}`, { method: 'POST', headers, body: '{}' });
      }),
      401,
      'invalid_dpop_proof',
    );
    // the same proof cannot approve a different request either: htu names the first
    await expectError(await fetch(`${d.url}/admin/requests/${pending[1]}/approve`, { method: 'POST', headers, body: '{}' }), 401, 'invalid_dpop_proof');
    expect((await (await d.admin('GET', `/grants/${pending[1]}`)).json()) as { status: string }).toMatchObject({ status: 'pending' });
  });
});

describe('the event stream needs a proof too', () => {
  it('GET /admin/events with the extension credential as Bearer → 401 invalid_token; with a proof → 200', async () => {
    const d = await startTestDaemon();
    const ext = await pairExtension(d);
    await expectError(
      await fetch(`${d.url}/admin/events`, { headers: { authorization: `Bearer ${ext.credential}`, origin: ext.origin } }),
      401,
      'invalid_token',
    );
    await expectError(await ext.request('GET', '/events', undefined, { proof: { htm: 'POST' } }), 401, 'invalid_dpop_proof');
    const ok = await ext.request('GET', '/events');
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });
});

describe('credential kinds', () => {
  it('an extension credential paired before proof keys existed (no jkt) → 401 invalid_token, even with a proof', async () => {
    const d = await startTestDaemon();
    const ext = await pairExtension(d);
    d.ctx.db.prepare('UPDATE admin_credentials SET jkt = NULL WHERE id = ?').run(ext.credential_id);
    await expectError(await ext.request('GET', '/session'), 401, 'invalid_token');
  });

  it('the CLI credential sent with the DPoP scheme → 401 invalid_token', async () => {
    const d = await startTestDaemon();
    const key = await proofKey();
    const dpop = await dpopProof(key, 'GET', `${d.url}/admin/session`, d.adminToken, d.clock());
    await expectError(await fetch(`${d.url}/admin/session`, { headers: { authorization: `DPoP ${d.adminToken}`, dpop } }), 401, 'invalid_token');
  });

  it('control: the CLI credential keeps working as Bearer without Origin', async () => {
    const d = await startTestDaemon();
    expect((await d.admin('GET', '/session')).status).toBe(200);
  });
});

describe('only the extension pushes the browser policy, and it only makes the daemon stricter', () => {
  it('the CLI credential pushing a browser policy → 403 access_denied, policy in force unchanged', async () => {
    const d = await startTestDaemon({ policy: { policy: { maxDelegationMinutes: 60 }, path: null } });
    const before = await (await d.admin('GET', '/policy')).json();
    await expectError(await d.admin('POST', '/policy/browser', { policy: { blockedAgents: ['Mail helper'] } }), 403, 'access_denied');
    expect(await (await d.admin('GET', '/policy')).json()).toEqual(before);
  });

  it('a pushed policy cannot loosen the daemon file: longer durations, fewer blocks and other allowed agents do not widen it', async () => {
    const d = await startTestDaemon({
      policy: { policy: { maxDelegationMinutes: 60, blockedScopes: ['mail.send'], allowedAgents: ['Mail helper'], disableAlwaysAllow: true }, path: null },
    });
    const ext = await pairExtension(d);
    const res = await ext.request('POST', '/policy/browser', {
      policy: { maxDelegationMinutes: 6000, blockedScopes: [], allowedAgents: ['Mail helper', 'Rogue'], disableAlwaysAllow: false },
    });
    expect(res.status).toBe(200);
    const { effective } = (await res.json()) as { effective: Record<string, unknown> };
    expect(effective).toMatchObject({ maxDelegationMinutes: 60, blockedScopes: ['mail.send'], allowedAgents: ['Mail helper'], disableAlwaysAllow: true });
    // and the daemon enforces it: an agent the file does not allow is still refused
    const rogue = await d.registerAgent({ name: 'Rogue' });
    await expect(d.request(rogue)).rejects.toThrow(/bc-authorize failed: 4\d\d/);
  });
});
