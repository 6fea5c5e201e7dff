/**
 * Must-reject: malformed requests on the OAuth endpoints and the admin API. Each is a 4xx with the exact
 * error code (never a 500), and nothing is written.
 */
import { adminPath } from '#shared/admin-contract.js';
import { describe, expect, it } from 'vitest';
import type { OAuthErrorCode } from '#shared/errors.js';
import { GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN } from '#shared/oauth.js';
import { MAIL, PERSON, auth, startTestDaemon } from '../harness.js';
import {
  agentCount,
  allGrants,
  basicOf,
  dbSnapshot,
  expectError,
  grantById,
  pendingRequests,
  post,
  sharedDaemon,
  sharedWorld,
  titled,
  type World,
} from './support.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const KIB64 = 64 * 1024;

/** What a well-formed, acceptable request to each form endpoint looks like for the world's agent. */
const goodForms: { name: string; path: string; params: (w: World) => Record<string, string> }[] = [
  { name: '/bc-authorize', path: '/bc-authorize', params: () => ({ scope: 'mail.read', resource: MAIL }) },
  { name: '/token', path: '/token', params: (w) => ({ grant_type: GRANT_TYPE_CIBA, auth_req_id: w.authReqId }) },
  { name: '/introspect', path: '/introspect', params: (w) => ({ token: w.token }) },
  { name: '/revoke', path: '/revoke', params: (w) => ({ token: w.token }) },
];

/** Proof that a refused request changed nothing: same rows in every table. */
async function refusedWithoutWrites(w: World, send: () => Promise<Response>, status: number, code: OAuthErrorCode): Promise<void> {
  const before = dbSnapshot(w.d);
  await expectError(await send(), status, code);
  expect(dbSnapshot(w.d)).toBe(before);
}

describe('form endpoints take one application/x-www-form-urlencoded body', () => {
  // A well-formed urlencoded body under another content type: only the content type can be the reason.
  const wrongTypes = ['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded-x'];
  const rows = wrongTypes.flatMap((type) => goodForms.map((f) => ({ ...f, type })));
  const shared = sharedWorld();

  it.each(titled(rows, (r) => `a form body labelled ${r.type} to ${r.name} → 400 invalid_request`))('%s', async (_title, { path, params, type }) => {
    const w = shared();
    const body = new URLSearchParams(params(w)).toString();
    await refusedWithoutWrites(w, () => post(w.d, path, body, { 'content-type': type, authorization: basicOf(w.agent) }), 400, 'invalid_request');
  });

  it.each(titled(goodForms, (r) => `a form body with no content type to ${r.name} → 400 invalid_request`))('%s', async (_title, { path, params }) => {
    const w = shared();
    const bytes = new TextEncoder().encode(new URLSearchParams(params(w)).toString());
    await refusedWithoutWrites(w, () => post(w.d, path, bytes, { authorization: basicOf(w.agent) }), 400, 'invalid_request');
  });

  it.each(titled(goodForms, (r) => `a JSON body (application/json) to ${r.name} → 400 invalid_request`))('%s', async (_title, { path, params }) => {
    const w = shared();
    const body = JSON.stringify(params(w));
    await refusedWithoutWrites(w, () => post(w.d, path, body, { 'content-type': 'application/json', authorization: basicOf(w.agent) }), 400, 'invalid_request');
  });
});

describe('a parameter sent twice is refused (RFC 6749 §3.1)', () => {
  const enc = encodeURIComponent;
  const rows: { name: string; path: string; body: (w: World) => string; basic?: false }[] = [
    { name: 'scope=a&scope=b on /bc-authorize', path: '/bc-authorize', body: () => `scope=mail.read&scope=mail.send&resource=${enc(MAIL)}` },
    { name: 'an empty resource then a real one on /bc-authorize', path: '/bc-authorize', body: () => `scope=mail.read&resource=&resource=${enc(MAIL)}` },
    {
      name: 'binding_message twice on /bc-authorize',
      path: '/bc-authorize',
      body: () => `scope=mail.read&resource=${enc(MAIL)}&binding_message=a&binding_message=b`,
    },
    {
      name: 'grant_type twice on /token',
      path: '/token',
      body: (w) => `grant_type=${enc(GRANT_TYPE_CIBA)}&grant_type=${enc(GRANT_TYPE_CIBA)}&auth_req_id=${enc(w.authReqId)}`,
    },
    { name: 'auth_req_id twice on /token', path: '/token', body: (w) => `grant_type=${enc(GRANT_TYPE_CIBA)}&auth_req_id=x&auth_req_id=${enc(w.authReqId)}` },
    {
      name: 'subject_token twice on /token (exchange)',
      path: '/token',
      body: (w) =>
        `grant_type=${enc(GRANT_TYPE_TOKEN_EXCHANGE)}&subject_token_type=${enc(TOKEN_TYPE_ACCESS_TOKEN)}&subject_token=x&subject_token=${enc(w.token)}`,
    },
    { name: 'token twice on /introspect', path: '/introspect', body: (w) => `token=x&token=${enc(w.token)}` },
    { name: 'token twice on /revoke', path: '/revoke', body: (w) => `token=${enc(w.token)}&token=${enc(w.token)}` },
    {
      name: 'client_id twice (client_secret_post) on /introspect',
      path: '/introspect',
      basic: false,
      body: (w) => `token=${enc(w.token)}&client_id=${enc(w.agent.client_id)}&client_id=${enc(w.agent.client_id)}&client_secret=${enc(w.agent.client_secret)}`,
    },
  ];

  const shared = sharedWorld();

  it.each(titled(rows, (r) => `${r.name} → 400 invalid_request`))('%s', async (_title, row) => {
    const w = shared();
    const headers = row.basic === false ? FORM : { ...FORM, authorization: basicOf(w.agent) };
    await refusedWithoutWrites(w, () => post(w.d, row.path, row.body(w), headers), 400, 'invalid_request');
    expect((await grantById(w.d, w.grantId)).status).toBe('approved');
  });
});

describe(`a body over ${KIB64} bytes → 413 invalid_request`, () => {
  const big = (prefix: string) => prefix + 'x'.repeat(KIB64 + 1 - prefix.length);
  const shared = sharedWorld();

  it.each(titled(goodForms, (r) => `with Content-Length on ${r.name}`))('%s', async (_title, { path }) => {
    const w = shared();
    const body = big(`scope=mail.read&resource=${encodeURIComponent(MAIL)}&binding_message=`);
    expect(body.length).toBe(KIB64 + 1);
    await refusedWithoutWrites(w, () => post(w.d, path, body, { ...FORM, authorization: basicOf(w.agent) }), 413, 'invalid_request');
  });

  it('chunked, without Content-Length, on /bc-authorize', async () => {
    const w = shared();
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`scope=mail.read&resource=${encodeURIComponent(MAIL)}&binding_message=`));
      },
      pull(controller) {
        if (sent > KIB64 + chunk.length) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const init = { method: 'POST', headers: { ...FORM, authorization: basicOf(w.agent) }, body: stream, duplex: 'half' } as RequestInit;
    await refusedWithoutWrites(w, () => fetch(`${w.d.url}/bc-authorize`, init), 413, 'invalid_request');
  });

  it('on an admin route (POST /admin/agents)', async () => {
    const w = shared();
    const body = JSON.stringify({ name: 'Big', scopes: ['mail.read'], resources: [MAIL], pad: 'x'.repeat(KIB64) });
    await refusedWithoutWrites(
      w,
      () => post(w.d, adminPath('agents.list'), body, { 'content-type': 'application/json', authorization: `Bearer ${w.d.adminToken}` }),
      413,
      'invalid_request',
    );
  });
});

describe('/bc-authorize parameters', () => {
  const base = { scope: 'mail.read mail.send', resource: MAIL, binding_message: 'Summarise my inbox', requested_expiry: '3600' };
  type Row = { name: string; set: Record<string, string | undefined>; status?: number; code: OAuthErrorCode };
  const rows: Row[] = [
    // scope
    { name: 'scope missing', set: { scope: undefined }, code: 'invalid_request' },
    { name: 'scope empty (counts as missing)', set: { scope: '' }, code: 'invalid_request' },
    { name: 'scope of spaces only', set: { scope: '   ' }, code: 'invalid_scope' },
    { name: 'scope with a double quote (mail"read)', set: { scope: 'mail"read' }, code: 'invalid_scope' },
    { name: 'scope with a backslash', set: { scope: 'mail\\read' }, code: 'invalid_scope' },
    { name: 'scope separated by a tab', set: { scope: 'mail.read\tmail.send' }, code: 'invalid_scope' },
    { name: 'scope with a non-ASCII letter', set: { scope: 'mail.réad' }, code: 'invalid_scope' },
    { name: 'a scope token over 200 characters', set: { scope: 'm'.repeat(201) }, code: 'invalid_scope' },
    { name: 'scope over 4000 characters', set: { scope: 'mail.read '.repeat(401) }, code: 'invalid_scope' },
    // resource (RFC 8707)
    { name: 'resource missing', set: { resource: undefined }, code: 'invalid_target' },
    { name: 'resource a relative URL', set: { resource: '/mail' }, code: 'invalid_target' },
    { name: 'resource without a scheme', set: { resource: 'mail.example' }, code: 'invalid_target' },
    { name: 'resource with a #fragment', set: { resource: 'https://mail.example/#inbox' }, code: 'invalid_target' },
    { name: 'resource with an empty #fragment', set: { resource: 'https://mail.example/#' }, code: 'invalid_target' },
    { name: 'resource over 2048 characters', set: { resource: `https://mail.example/${'a'.repeat(2048)}` }, code: 'invalid_target' },
    // requested_expiry
    { name: 'requested_expiry=abc', set: { requested_expiry: 'abc' }, code: 'invalid_request' },
    { name: 'requested_expiry=-5', set: { requested_expiry: '-5' }, code: 'invalid_request' },
    { name: 'requested_expiry=0', set: { requested_expiry: '0' }, code: 'invalid_request' },
    { name: 'requested_expiry=1.5', set: { requested_expiry: '1.5' }, code: 'invalid_request' },
    { name: 'requested_expiry=1e3', set: { requested_expiry: '1e3' }, code: 'invalid_request' },
    { name: 'requested_expiry of ten digits', set: { requested_expiry: '9999999999' }, code: 'invalid_request' },
    { name: 'requested_expiry beyond the longest delegation (86401)', set: { requested_expiry: '86401' }, code: 'invalid_request' },
    // binding_message
    { name: 'binding_message with a newline', set: { binding_message: 'Summarise my inbox\nApprove: all mail, forever' }, code: 'invalid_binding_message' },
    { name: 'binding_message with a carriage return', set: { binding_message: 'Summarise\rApprove' }, code: 'invalid_binding_message' },
    { name: 'binding_message with a tab', set: { binding_message: 'Summarise\tmy inbox' }, code: 'invalid_binding_message' },
    { name: 'binding_message with NUL', set: { binding_message: 'Summarise\u0000' }, code: 'invalid_binding_message' },
    { name: 'binding_message with ESC (terminal escape)', set: { binding_message: '\u001b[2KApproved' }, code: 'invalid_binding_message' },
    { name: 'binding_message with U+0085 (NEL)', set: { binding_message: 'Summarise\u0085Approve' }, code: 'invalid_binding_message' },
    { name: 'binding_message with U+2028 (line separator)', set: { binding_message: 'Summarise\u2028Approve' }, code: 'invalid_binding_message' },
    { name: 'binding_message with U+202E (right-to-left override)', set: { binding_message: 'Read \u202Eliam dnes' }, code: 'invalid_binding_message' },
    { name: 'binding_message with U+2066 (left-to-right isolate)', set: { binding_message: 'Read \u2066mail\u2069' }, code: 'invalid_binding_message' },
    { name: 'binding_message over 500 characters', set: { binding_message: 'a'.repeat(501) }, code: 'invalid_request' },
    // authorization_details (RFC 9396)
    { name: 'authorization_details not JSON', set: { authorization_details: '[{type:email}]' }, code: 'invalid_authorization_details' },
    { name: 'authorization_details without type', set: { authorization_details: '[{"actions":["read"]}]' }, code: 'invalid_authorization_details' },
    { name: 'authorization_details with an empty type', set: { authorization_details: '[{"type":""}]' }, code: 'invalid_authorization_details' },
    { name: 'authorization_details an object, not an array', set: { authorization_details: '{"type":"email"}' }, code: 'invalid_authorization_details' },
    { name: 'authorization_details an empty array', set: { authorization_details: '[]' }, code: 'invalid_authorization_details' },
    {
      name: 'authorization_details with actions not an array',
      set: { authorization_details: '[{"type":"email","actions":"read"}]' },
      code: 'invalid_authorization_details',
    },
    {
      name: 'authorization_details with 21 entries',
      set: { authorization_details: JSON.stringify(Array.from({ length: 21 }, () => ({ type: 'email' }))) },
      code: 'invalid_authorization_details',
    },
    // Within the 16 KiB limit, but nested deeper than any real detail: must be refused, not crash the validator.
    {
      name: 'authorization_details with an extra field nested 5000 arrays deep',
      set: { authorization_details: `[{"type":"email","extra":${'['.repeat(5000)}${']'.repeat(5000)}}]` },
      code: 'invalid_authorization_details',
    },
    {
      name: 'authorization_details with an extra field nested 2500 objects deep',
      set: { authorization_details: `[{"type":"email","extra":${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}}]` },
      code: 'invalid_authorization_details',
    },
    {
      name: 'authorization_details over 16 KiB',
      set: { authorization_details: JSON.stringify([{ type: 'email', note: 'x'.repeat(16_384) }]) },
      code: 'invalid_request',
    },
    // CIBA parameters Mandate does not support
    { name: 'client_notification_token (ping/push mode)', set: { client_notification_token: 'abc123' }, code: 'invalid_request' },
    { name: 'user_code', set: { user_code: '1234' }, code: 'invalid_request' },
    { name: 'id_token_hint', set: { id_token_hint: 'eyJhbGciOiJub25lIn0.e30.' }, code: 'invalid_request' },
    { name: 'login_hint_token', set: { login_hint_token: 'eyJhbGciOiJub25lIn0.e30.' }, code: 'invalid_request' },
    // the person
    { name: 'login_hint naming another person', set: { login_hint: 'user:mallory@test-host' }, code: 'unknown_user_id' },
    { name: 'login_hint differing only in case', set: { login_hint: PERSON.toUpperCase() }, code: 'unknown_user_id' },
    { name: 'login_hint over 320 characters', set: { login_hint: PERSON + 'x'.repeat(320) }, code: 'invalid_request' },
  ];

  const shared = sharedDaemon(async (d) => ({ d, agent: await d.registerAgent() }));

  it.each(titled(rows, (r) => `${r.name} → 400 ${r.code}, nothing stored`))('%s', async (_title, { set, code }) => {
    const { d, agent } = shared();
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...base, ...set })) if (v !== undefined) params[k] = v;
    const before = await allGrants(d);
    await expectError(await d.form('/bc-authorize', params, auth(agent)), 400, code);
    expect(await allGrants(d)).toEqual(before);
  });

  it('control: the base request is accepted', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    expect((await d.form('/bc-authorize', base, auth(agent))).status).toBe(200);
    expect(
      (await d.form('/bc-authorize', { ...base, login_hint: PERSON, authorization_details: '[{"type":"email","actions":["read"]}]' }, auth(agent))).status,
    ).toBe(200);
  });
});

describe('/token, /introspect and /revoke parameters', () => {
  type Row = { name: string; path: string; params: (w: World) => Record<string, string>; code: OAuthErrorCode };
  const ex = (w: World, extra: Record<string, string> = {}) => ({
    grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
    subject_token: w.token,
    subject_token_type: TOKEN_TYPE_ACCESS_TOKEN,
    ...extra,
  });
  const without = (p: Record<string, string>, key: string) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== key));
  const rows: Row[] = [
    { name: 'grant_type missing', path: '/token', params: (w) => ({ auth_req_id: w.authReqId }), code: 'invalid_request' },
    ...['authorization_code', 'refresh_token'].map(
      (g): Row => ({
        name: `grant_type=${g} from a CIBA agent`,
        path: '/token',
        params: () => ({ grant_type: g, code: 'x', refresh_token: 'x', redirect_uri: 'http://127.0.0.1/cb', code_verifier: 'v'.repeat(43) }),
        code: 'unauthorized_client',
      }),
    ),
    ...['client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:openid:params:grant-type:CIBA'].map(
      (g): Row => ({
        name: `grant_type=${g}`,
        path: '/token',
        params: (w) => ({ grant_type: g, auth_req_id: w.authReqId, subject_token: w.token }),
        code: 'unsupported_grant_type',
      }),
    ),
    { name: 'CIBA poll without auth_req_id', path: '/token', params: () => ({ grant_type: GRANT_TYPE_CIBA }), code: 'invalid_request' },
    {
      name: 'CIBA poll with an over-long auth_req_id',
      path: '/token',
      params: () => ({ grant_type: GRANT_TYPE_CIBA, auth_req_id: 'a'.repeat(201) }),
      code: 'invalid_request',
    },
    { name: 'exchange without subject_token', path: '/token', params: (w) => without(ex(w), 'subject_token'), code: 'invalid_request' },
    { name: 'exchange without subject_token_type', path: '/token', params: (w) => without(ex(w), 'subject_token_type'), code: 'invalid_request' },
    {
      name: 'exchange of a refresh_token type',
      path: '/token',
      params: (w) => ex(w, { subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }),
      code: 'invalid_request',
    },
    {
      name: 'exchange asking for an id_token',
      path: '/token',
      params: (w) => ex(w, { requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }),
      code: 'invalid_request',
    },
    {
      name: 'exchange with an actor_token',
      path: '/token',
      params: (w) => ex(w, { actor_token: w.token, actor_token_type: TOKEN_TYPE_ACCESS_TOKEN }),
      code: 'invalid_request',
    },
    {
      name: 'exchange with resource and audience naming different targets',
      path: '/token',
      params: (w) => ex(w, { resource: MAIL, audience: 'https://other.example/' }),
      code: 'invalid_target',
    },
    { name: 'exchange with a relative resource', path: '/token', params: (w) => ex(w, { resource: '/mail' }), code: 'invalid_target' },
    { name: 'exchange with a resource #fragment', path: '/token', params: (w) => ex(w, { resource: `${MAIL}#x` }), code: 'invalid_target' },
    { name: 'exchange with scope mail"read', path: '/token', params: (w) => ex(w, { scope: 'mail"read' }), code: 'invalid_scope' },
    { name: 'exchange with a scope of spaces only', path: '/token', params: (w) => ex(w, { scope: '   ' }), code: 'invalid_scope' },
    {
      name: 'exchange with an over-long subject_token',
      path: '/token',
      params: (w) => ex(w, { subject_token: w.token + 'A'.repeat(16_384) }),
      code: 'invalid_request',
    },
    { name: '/introspect without token', path: '/introspect', params: () => ({ token_type_hint: 'access_token' }), code: 'invalid_request' },
    {
      name: '/introspect with an over-long token_type_hint',
      path: '/introspect',
      params: (w) => ({ token: w.token, token_type_hint: 'a'.repeat(101) }),
      code: 'invalid_request',
    },
    { name: '/revoke without token', path: '/revoke', params: () => ({ token_type_hint: 'access_token' }), code: 'invalid_request' },
  ];

  const shared = sharedWorld();

  it.each(titled(rows, (r) => `${r.name} → 400 ${r.code}, nothing issued or changed`))('%s', async (_title, { path, params, code }) => {
    const w = shared();
    await refusedWithoutWrites(w, () => w.d.form(path, params(w), auth(w.agent)), 400, code);
    expect((await grantById(w.d, w.grantId)).status).toBe('approved');
  });
});

describe('admin JSON bodies', () => {
  type Target = 'approve' | 'deny' | 'revoke' | 'revoke-all' | 'agents' | 'pairing-codes';
  const path = (t: Target, w: World) =>
    ({
      approve: adminPath('requests.approve', { id: w.authReqId }),
      deny: adminPath('requests.deny', { id: w.authReqId }),
      revoke: adminPath('grants.revoke', { id: w.grantId }),
      'revoke-all': adminPath('grants.revokeAll'),
      agents: adminPath('agents.list'),
      'pairing-codes': adminPath('pairingCodes.create'),
    })[t];
  const shared = sharedWorld();
  const rows: { target: Target; body: string; code?: OAuthErrorCode }[] = [
    { target: 'approve', body: '{"scope":"mail.read"}' },
    { target: 'approve', body: '{"scope":[]}' },
    { target: 'approve', body: '{"scope":["mail read"]}' },
    { target: 'approve', body: '{"scope":[1]}' },
    { target: 'approve', body: '{"expires_in":-1}' },
    { target: 'approve', body: '{"expires_in":0}' },
    { target: 'approve', body: '{"expires_in":1.5}' },
    { target: 'approve', body: '{"expires_in":"60"}' },
    { target: 'approve', body: '{"expires_in":31708801}' },
    { target: 'approve', body: '{"scope":["mail.read"],"note":"unknown field"}' },
    { target: 'approve', body: 'null' },
    { target: 'approve', body: '[]' },
    { target: 'approve', body: '"approve"' },
    { target: 'approve', body: '{scope:' },
    { target: 'approve', body: '{"scope":["mail.read"]}{"x":1}' },
    { target: 'deny', body: '{"reason":5}' },
    { target: 'deny', body: JSON.stringify({ reason: 'x'.repeat(501) }) },
    { target: 'deny', body: '{"why":"no"}' },
    { target: 'deny', body: 'not json' },
    { target: 'revoke', body: '{"force":true}' },
    { target: 'revoke', body: '{' },
    { target: 'revoke-all', body: '{"all":true}' },
    { target: 'pairing-codes', body: '{"lifetime":86400}' },
    { target: 'agents', body: JSON.stringify({ name: 'x', scopes: 'mail.read', resources: [MAIL] }) },
    { target: 'agents', body: JSON.stringify({ name: 'x', scopes: ['mail.read'], resources: MAIL }) },
    { target: 'agents', body: JSON.stringify({ name: 'x', scopes: ['mail.read'], resources: [] }) },
    { target: 'agents', body: JSON.stringify({ name: 'x', scopes: ['mail.read'], resources: ['/mail'] }) },
    { target: 'agents', body: JSON.stringify({ name: 'x', scopes: ['mail.read'], resources: [`${MAIL}#x`] }) },
    { target: 'agents', body: JSON.stringify({ name: 'x', scopes: ['mail read'], resources: [MAIL] }) },
    { target: 'agents', body: JSON.stringify({ name: 'x', kind: 'admin', scopes: ['mail.read'], resources: [MAIL] }) },
    { target: 'agents', body: JSON.stringify({ name: '   ', scopes: ['mail.read'], resources: [MAIL] }) },
    { target: 'agents', body: JSON.stringify({ name: 'x'.repeat(101), scopes: ['mail.read'], resources: [MAIL] }) },
    { target: 'agents', body: JSON.stringify({ name: 'x', scopes: ['mail.read'], resources: [MAIL], client_secret: 'mcs_chosen' }) },
    { target: 'agents', body: JSON.stringify({ scopes: ['mail.read'], resources: [MAIL] }) },
    { target: 'agents', body: 'name=x' },
    { target: 'agents', body: JSON.stringify({ name: 'x', kind: 'agent', scopes: [], resources: [MAIL] }), code: 'invalid_scope' },
  ];

  it.each(titled(rows, (r) => `${r.target} with ${r.body.length > 60 ? `${r.body.slice(0, 57)}...` : r.body} → 400 ${r.code ?? 'invalid_request'}`))(
    '%s',
    async (_title, { target, body, code }) => {
      const w = shared();
      const agents = await agentCount(w.d);
      await refusedWithoutWrites(
        w,
        () => post(w.d, path(target, w), body, { 'content-type': 'application/json', authorization: `Bearer ${w.d.adminToken}` }),
        400,
        code ?? 'invalid_request',
      );
      expect((await pendingRequests(w.d)).length).toBe(1);
      expect((await grantById(w.d, w.grantId)).status).toBe('approved');
      expect(await agentCount(w.d)).toBe(agents);
    },
  );
});

describe('admin query strings and ids', () => {
  const shared = sharedWorld();

  it.each([
    '/grants?all=yes',
    '/grants?limit=0',
    '/grants?limit=5001',
    '/grants?status=approved',
    '/audit?outcome=maybe',
    '/audit?limit=abc',
    '/audit?since=-1',
    '/audit?before_id=0',
    '/audit?agent=x&bogus=1',
    `/grants/${'g'.repeat(201)}`,
    `/requests/${'g'.repeat(201)}/approve`,
  ])('%s → 400 invalid_request', async (path) => {
    const w = shared();
    const method = path.endsWith('/approve') ? 'POST' : 'GET';
    await refusedWithoutWrites(w, () => w.d.admin(method, path, method === 'POST' ? {} : undefined), 400, 'invalid_request');
  });
});
