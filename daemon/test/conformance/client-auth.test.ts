/**
 * Must-reject: agent and resource-server endpoints without valid client authentication, and online guessing
 * of client secrets. Security checklist item 5.
 */
import { describe, expect, it } from 'vitest';
import { GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN } from '#shared/oauth.js';
import { MAIL, auth, basic, startTestDaemon } from '../harness.js';
import {
  auditEvents,
  dbSnapshot,
  expectActive,
  expectError,
  grantById,
  introspect,
  pendingRequests,
  post,
  sharedWorld,
  titled,
  world,
  type World,
} from './support.js';

/** Asserts that only the audit table changed between two dbSnapshot() dumps; returns the audit rows added. */
function auditRowsSince(before: string, after: string): string[] {
  const a = JSON.parse(before) as Record<string, string[]>;
  const b = JSON.parse(after) as Record<string, string[]>;
  for (const table of Object.keys(b)) if (table !== 'audit' && table !== 'audit_head') expect(b[table], `table ${table}`).toEqual(a[table]);
  const seen = new Set(a.audit ?? []);
  return (b.audit ?? []).filter((row) => !seen.has(row));
}

/** Each endpoint with parameters that would succeed (or at least be acted on) for a properly authenticated agent. */
const endpoints: { name: string; path: string; params: (w: World) => Record<string, string> }[] = [
  { name: '/bc-authorize', path: '/bc-authorize', params: () => ({ scope: 'mail.read', resource: MAIL, binding_message: 'Read my mail' }) },
  { name: '/token (CIBA poll)', path: '/token', params: (w) => ({ grant_type: GRANT_TYPE_CIBA, auth_req_id: w.authReqId }) },
  {
    name: '/token (token exchange)',
    path: '/token',
    params: (w) => ({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: w.token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN }),
  },
  { name: '/introspect', path: '/introspect', params: (w) => ({ token: w.token }) },
  { name: '/revoke', path: '/revoke', params: (w) => ({ token: w.token }) },
];

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Ways of presenting (or not) client credentials, each invalid. */
const presentations: {
  name: string;
  status: 401 | 400;
  code: 'invalid_client' | 'invalid_request';
  send: (w: World, path: string, params: Record<string, string>) => Promise<Response>;
}[] = [
  { name: 'no client authentication', status: 401, code: 'invalid_client', send: (w, path, p) => post(w.d, path, form(p), FORM) },
  {
    name: 'client_id in the body without a secret',
    status: 401,
    code: 'invalid_client',
    send: (w, path, p) => post(w.d, path, form({ ...p, client_id: w.agent.client_id }), FORM),
  },
  {
    name: 'Basic with the wrong secret',
    status: 401,
    code: 'invalid_client',
    send: (w, path, p) => post(w.d, path, form(p), { ...FORM, authorization: basic(w.agent.client_id, `${w.agent.client_secret}x`) }),
  },
  {
    name: 'client_secret_post with the wrong secret',
    status: 401,
    code: 'invalid_client',
    send: (w, path, p) => post(w.d, path, form({ ...p, client_id: w.agent.client_id, client_secret: 'mcs_wrong' }), FORM),
  },
  {
    name: 'an unknown client_id',
    status: 401,
    code: 'invalid_client',
    send: (w, path, p) => post(w.d, path, form(p), { ...FORM, authorization: basic('agt_unknown', w.agent.client_secret) }),
  },
  {
    name: 'the client secret as a Bearer token',
    status: 401,
    code: 'invalid_client',
    send: (w, path, p) => post(w.d, path, form(p), { ...FORM, authorization: `Bearer ${w.agent.client_secret}` }),
  },
  {
    name: 'Basic credentials without a colon',
    status: 401,
    code: 'invalid_client',
    send: (w, path, p) => post(w.d, path, form(p), { ...FORM, authorization: `Basic ${Buffer.from(w.agent.client_id).toString('base64')}` }),
  },
  {
    name: 'Basic AND client_secret in the body',
    status: 400,
    code: 'invalid_request',
    send: (w, path, p) =>
      post(w.d, path, form({ ...p, client_secret: w.agent.client_secret }), { ...FORM, authorization: basic(w.agent.client_id, w.agent.client_secret) }),
  },
  {
    name: 'Basic for one client and client_id of another in the body',
    status: 400,
    code: 'invalid_request',
    send: (w, path, p) =>
      post(w.d, path, form({ ...p, client_id: 'agt_someone_else' }), { ...FORM, authorization: basic(w.agent.client_id, w.agent.client_secret) }),
  },
];

describe('client authentication is required on every agent endpoint', () => {
  // One shared daemon per endpoint: its rows make 2 failures for the agent's id, below the limit of 10.
  describe.each(titled(endpoints, (e) => `on ${e.name}`))('%s', (_endpoint, endpoint) => {
    const shared = sharedWorld();

    it.each(titled(presentations, (p) => `${p.name} → ${p.status} ${p.code}, nothing happens`))('%s', async (_title, p) => {
      const w = shared();
      const before = dbSnapshot(w.d);
      const res = await p.send(w, endpoint.path, endpoint.params(w));
      if (p.status === 401) expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Basic /);
      await expectError(res, p.status, p.code);
      // Nothing happened: no request stored, no token issued, no grant ended. A failed authentication of a known
      // client is audited, and that is the only write allowed.
      const added = auditRowsSince(before, dbSnapshot(w.d));
      expect(
        added.every((row) => row.includes('client.auth_failed')),
        added.join('\n'),
      ).toBe(true);
      expect((await pendingRequests(w.d)).length).toBe(1);
      expect((await grantById(w.d, w.grantId)).status).toBe('approved');
      await expectActive(await introspect(w.d, w.agent, w.token));
    });
  });
});

describe('client authentication answers', () => {
  it('unknown client and wrong secret get the same description (no client enumeration)', async () => {
    const w = await world();
    const p = form({ token: w.token });
    const wrong = await expectError(
      await post(w.d, '/introspect', p, { ...FORM, authorization: basic(w.agent.client_id, 'mcs_wrong') }),
      401,
      'invalid_client',
    );
    const unknown = await expectError(await post(w.d, '/introspect', p, { ...FORM, authorization: basic('agt_nobody', 'mcs_wrong') }), 401, 'invalid_client');
    expect(unknown.error_description).toBe(wrong.error_description);
  });

  it('Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1): encoded ones are decoded, broken ones refused', async () => {
    const w = await world();
    const p = form({ token: w.token });
    const raw = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const everyCharEncoded = (s: string) => [...s].map((ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
    // the same id and secret, with every character percent-encoded: the same client
    await expectActive(
      await post(w.d, '/introspect', p, { ...FORM, authorization: raw(everyCharEncoded(w.agent.client_id), everyCharEncoded(w.agent.client_secret)) }),
    );
    // '+' is a space once decoded, so a '+' in place of the secret's last character is a wrong secret
    await expectError(
      await post(w.d, '/introspect', p, { ...FORM, authorization: raw(w.agent.client_id, `${w.agent.client_secret.slice(0, -1)}+`) }),
      401,
      'invalid_client',
    );
    const broken = await expectError(await post(w.d, '/introspect', p, { ...FORM, authorization: raw(w.agent.client_id, '%zz') }), 401, 'invalid_client');
    expect(broken.error_description).toBe('Basic credentials are not valid form-urlencoded text');
  });

  it('a failed authentication for a known client is audited as client.auth_failed', async () => {
    const w = await world();
    await expectError(
      await w.d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL }, { id: w.agent.client_id, secret: 'mcs_wrong' }),
      401,
      'invalid_client',
    );
    const events = await auditEvents(w.d, { type: 'client.auth_failed' });
    expect(events.map((e) => [e.agent, e.outcome])).toEqual([[w.agent.client_id, 'refused']]);
  });

  it('a removed agent → 401 invalid_client on every endpoint', async () => {
    const w = await world();
    expect((await w.d.admin('DELETE', `/agents/${w.agent.client_id}`)).status).toBe(200);
    for (const e of endpoints) {
      await expectError(await w.d.form(e.path, e.params(w), auth(w.agent)), 401, 'invalid_client');
    }
  });
});

describe('failed client authentication is throttled per client id', () => {
  it.each(
    titled(endpoints, (r) => `10 wrong secrets, then an 11th on ${r.name} → 429 temporarily_unavailable with Retry-After; the right secret still passes`),
  )('%s', async (_title, { path, params }) => {
    const w = await world();
    const p = params(w);
    for (let i = 0; i < 10; i++) {
      await expectError(await w.d.form(path, p, { id: w.agent.client_id, secret: `mcs_guess${i}` }), 401, 'invalid_client');
    }
    const res = await w.d.form(path, p, { id: w.agent.client_id, secret: 'mcs_guess10' });
    const retryAfter = Number(res.headers.get('retry-after'));
    await expectError(res, 429, 'temporarily_unavailable');
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // No lockout: a guesser cannot keep the agent itself out.
    await expectActive(await introspect(w.d, w.agent, w.token));
  });

  it('an unknown client id is throttled too (guessing ids costs the same)', async () => {
    const w = await world();
    for (let i = 0; i < 10; i++) {
      await expectError(await w.d.form('/introspect', { token: w.token }, { id: 'agt_guess', secret: `mcs_${i}` }), 401, 'invalid_client');
    }
    await expectError(await w.d.form('/introspect', { token: w.token }, { id: 'agt_guess', secret: 'mcs_x' }), 429, 'temporarily_unavailable');
  });
});

describe('client kind', () => {
  it('a resource server cannot ask for delegations: bc-authorize → 400 unauthorized_client, nothing stored', async () => {
    const d = await startTestDaemon();
    const rs = await d.registerAgent({ kind: 'resource_server', name: 'Mail API', resources: [MAIL] });
    await expectError(await d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL }, auth(rs)), 400, 'unauthorized_client');
    expect(await pendingRequests(d)).toEqual([]);
    expect((await auditEvents(d, { type: 'request.refused' })).map((e) => [e.agent, e.outcome])).toEqual([[rs.client_id, 'refused']]);
  });
});
