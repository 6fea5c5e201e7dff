/**
 * Generators for arbitrary and near-valid HTTP requests to every daemon endpoint. A case is plain data with
 * placeholders («authReqId», «token», …) that the property fills from the live world at run time, so a
 * shrunk counterexample stays readable and replayable with its seed.
 */
import fc from 'fast-check';
import { ADMIN_ENDPOINTS, ADMIN_PREFIX, type AdminName } from '#shared/admin-contract.js';
import { GRANT_TYPE_CIBA, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JWT } from '#shared/oauth.js';

export const REFS = [
  'authReqId',
  'grantId',
  'token',
  'externalId',
  'credentialId',
  'clientId',
  'pairCode',
  'agentId',
  'agentSecret',
  'rsId',
  'rsSecret',
  'adminToken',
  'port',
] as const;
export type Ref = (typeof REFS)[number];
export const ref = (r: Ref): string => `«${r}»`;

export type Body =
  | { kind: 'none' }
  | { kind: 'form'; pairs: [string, string][]; raw: boolean }
  | { kind: 'json'; text: string }
  | { kind: 'bytes'; bytes: number[] };

export interface HttpCase {
  method: string;
  path: string;
  query: [string, string][];
  headers: [string, string][];
  body: Body;
  /** Socket cases go through the real listening server with exactly these bytes (content-length lies, raw headers). */
  transport: 'app' | 'socket';
  contentLength?: 'true' | 'short' | 'long' | 'none';
}

// ---- building blocks ------------------------------------------------------------------------------------------

/** Strings that break naive parsers: controls, bidi, surrogates, percent junk, huge runs, JSON-ish text. */
const nasty = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '%',
    '%zz',
    '%ED%A0%80',
    '%FF%FE',
    '\u0000',
    '\ud800',
    '\u202e',
    '\u2060',
    '\r\n',
    '..',
    '../../etc/passwd',
    '-1',
    '0',
    '1e309',
    'NaN',
    '9007199254740993',
    'true',
    'null',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    'a'.repeat(201),
    'x'.repeat(5000),
    'ar_',
    '-ar_x',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 20 }),
  fc.nat({ max: 2 ** 53 }).map(String),
  fc.double().map(String),
);

const refOr = (r: Ref) => fc.oneof({ weight: 4, arbitrary: fc.constant(ref(r)) }, { weight: 1, arbitrary: nasty });

/** A value for a parameter: usually plausible, sometimes nasty, rarely huge. */
const value = (plausible: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 6, arbitrary: plausible },
    { weight: 3, arbitrary: nasty },
    { weight: 1, arbitrary: fc.constantFrom(8_000, 70_000).chain((n) => fc.constantFrom('a', '%', '\u00e9', '\u{1F600}').map((c) => c.repeat(n))) },
  );

const scope = fc.oneof(
  fc.constantFrom('mail.read', 'mail.send', 'mail.read mail.send', 'mail.read  mail.send', 'openid', 'admin', 'mail.read mail.read'),
  fc.array(fc.constantFrom('mail.read', 'mail.send', 'calendar.write', '*', 'mail.read\u0000'), { maxLength: 4 }).map((a) => a.join(' ')),
);
const resource = fc.constantFrom(
  'https://mail.example/',
  'https://mail.example',
  'https://calendar.example/',
  'http://mail.example/',
  'https://mail.example/#frag',
  'mail',
  'https://user@mail.example/',
);
const details = fc.oneof(
  fc.constantFrom(
    '[{"type":"payment_initiation","instructedAmount":{"currency":"EUR","amount":"9999.00"}}]',
    '[]',
    '{}',
    '[{"type":""}]',
    '[{"type":"x","__proto__":{"polluted":true}}]',
    `[${'['.repeat(5000)}${']'.repeat(5000)}]`,
    '[{"type":"x","n":1e400}]',
  ),
  fc.json({ maxDepth: 4 }),
);

type Pair = [string, string];
const pair = (k: string, v: fc.Arbitrary<string>) => v.map((x): Pair => [k, x]);

/** Client authentication as form fields or nothing (the header variant is chosen separately). */
const bodyAuth = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Pair[]>([]) },
  {
    weight: 1,
    arbitrary: fc.tuple(refOr('agentId'), refOr('agentSecret')).map(([i, s]): Pair[] => [
      ['client_id', i],
      ['client_secret', s],
    ]),
  },
  { weight: 1, arbitrary: refOr('agentId').map((i): Pair[] => [['client_id', i]]) },
);

const bcAuthorizeForm = fc
  .tuple(
    pair('scope', value(scope)),
    pair('resource', value(resource)),
    pair('binding_message', value(fc.constantFrom('Summarise my inbox', 'Pay\u202e the bill', 'a\nb'))),
    pair('requested_expiry', value(fc.constantFrom('3600', '60', '86401', '0', '-5', '1.5', '1e3'))),
    pair('authorization_details', value(details)),
    pair('login_hint', value(fc.constantFrom('user:fuzz@test-host', 'someone-else'))),
  )
  .chain((ps) => fc.subarray(ps));

const cibaForm = fc.tuple(pair('grant_type', fc.constant(GRANT_TYPE_CIBA)), pair('auth_req_id', refOr('authReqId'))).map((ps): Pair[] => ps);
const exchangeForm = fc
  .tuple(
    pair('grant_type', fc.constant(GRANT_TYPE_TOKEN_EXCHANGE)),
    pair('subject_token', refOr('token')),
    pair('subject_token_type', value(fc.constantFrom(TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JWT, 'urn:ietf:params:oauth:token-type:refresh_token'))),
    pair('requested_token_type', value(fc.constantFrom(TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JWT))),
    pair('actor_token', refOr('token')),
    pair('resource', value(resource)),
    pair('audience', value(resource)),
    pair('scope', value(scope)),
  )
  .chain(([g, ...rest]) => fc.subarray(rest).map((r): Pair[] => [g, ...r]));
const otherGrantForm = fc
  .tuple(
    pair(
      'grant_type',
      value(fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:jwt-bearer')),
    ),
    pair('code', nasty),
  )
  .map((ps): Pair[] => ps);
const tokenForm = fc.oneof(cibaForm, exchangeForm, otherGrantForm, fc.constant<Pair[]>([]));
const tokenParamForm = fc
  .tuple(pair('token', refOr('token')), pair('token_type_hint', value(fc.constantFrom('access_token', 'refresh_token'))))
  .chain((ps) => fc.subarray(ps, { minLength: 1 }));

/** Mutations OAuth forms get: drop, duplicate, rename, add junk. */
const mutateForm = (base: fc.Arbitrary<Pair[]>) =>
  fc
    .tuple(
      base,
      bodyAuth,
      fc.array(fc.oneof(fc.constant<'dup'>('dup'), fc.constant<'drop'>('drop'), fc.constant<'case'>('case'), fc.tuple(nasty, nasty)), { maxLength: 3 }),
      fc.nat(),
    )
    .map(([ps, auth, muts, at]) => {
      const out: Pair[] = [...ps, ...auth];
      for (const m of muts) {
        const i = out.length ? at % out.length : 0;
        if (m === 'dup' && out[i]) out.push(out[i]);
        else if (m === 'drop') out.splice(i, 1);
        else if (m === 'case' && out[i]) out[i] = [out[i][0].toUpperCase(), out[i][1]];
        else if (Array.isArray(m)) out.push(m);
      }
      return out;
    });

// ---- JSON bodies ----------------------------------------------------------------------------------------------

const jsonText = (plausible: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: plausible.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'null',
        '[]',
        '"x"',
        '{',
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"admin":true}}}',
        '{"scope":["mail.read"],"__proto__":{"expires_in":1}}',
        '{"expires_in":1e400}',
        '{"expires_in":-0}',
        '{"expires_in":9007199254740993}',
        '{"expires_in":"60"}',
        '\ufeff{}',
        `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
        '{"name":"\\ud800","resources":["https://mail.example/"]}',
        '{"code":"AAAA-AAAA","code":"BBBB-BBBB"}',
      ),
    },
  );

const approveBody = fc.record(
  { scope: fc.array(fc.constantFrom('mail.read', 'mail.send', 'calendar.write', ''), { maxLength: 3 }), expires_in: fc.oneof(fc.integer(), fc.double()) },
  { requiredKeys: [] },
);
const agentBody = fc.record(
  {
    name: value(fc.constantFrom('Fuzzed agent', 'Evil\u001b[2J bot', '  ')),
    kind: fc.constantFrom('agent', 'resource_server', 'admin'),
    scopes: fc.array(fc.constantFrom('mail.read', 'x y', '*'), { maxLength: 3 }),
    resources: fc.array(resource, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const externalBody = fc.record(
  {
    platform: fc.constantFrom('chatgpt', ''),
    provider_host: fc.constantFrom('accounts.google.com', 'Evil Host', '[::1]:99999'),
    client_id: nasty,
    redirect_uri: fc.constantFrom('https://chatgpt.com/connector/oauth/x', 'javascript:alert(1)'),
    requested_scope: fc.array(fc.constantFrom('email', 'x y'), { maxLength: 2 }),
    allowed_scope: fc.array(fc.constantFrom('email'), { maxLength: 2 }),
    resource: fc.option(nasty),
    authorization_details: fc.option(details),
    pkce: fc.boolean(),
    expires_in: fc.oneof(fc.constant(3600), fc.integer()),
    decision: fc.constantFrom('continue', 'block', 'maybe'),
  },
  { requiredKeys: [] },
);
const chatBody = fc.record(
  {
    site: fc.constantFrom('chatgpt', 'claude', 'gemini'),
    kind: fc.constantFrom('prompt-seen', 'decision', 'adapter-miss', 'x'),
    app: nasty,
    tool: nasty,
    decision: fc.constantFrom('allow', 'always', 'deny', 'x'),
    detail: nasty,
    page_host: fc.constantFrom('chatgpt.com', 'x'.repeat(300)),
  },
  { requiredKeys: [] },
);
const policyBody = fc.record(
  { policy: fc.oneof(fc.constant({}), fc.jsonValue({ maxDepth: 2 }), fc.record({ maxDelegationSeconds: fc.integer() }, { requiredKeys: [] })) },
  { requiredKeys: [] },
);

// ---- endpoints ------------------------------------------------------------------------------------------------

interface Endpoint {
  method: string;
  path: fc.Arbitrary<string>;
  body: fc.Arbitrary<Body>;
  query?: fc.Arbitrary<[string, string][]>;
}

const form = (pairs: fc.Arbitrary<Pair[]>): fc.Arbitrary<Body> =>
  fc.tuple(mutateForm(pairs), fc.boolean()).map(([p, raw]) => ({ kind: 'form', pairs: p, raw }));
const json = (plausible: fc.Arbitrary<unknown>): fc.Arbitrary<Body> => jsonText(plausible).map((text) => ({ kind: 'json', text }));
const none: fc.Arbitrary<Body> = fc.constant({ kind: 'none' });
const at = (p: string) => fc.constant(p);
/** An admin path from the contract (shared/src/admin-contract.ts), with `:id` left for withParam to fill. */
const contractPath = (name: AdminName) => ADMIN_PREFIX + ADMIN_ENDPOINTS[name].path;
const withParam = (name: AdminName, r: Ref) => {
  const [prefix, suffix = ''] = contractPath(name).split(':id');
  return withId(prefix!, r, suffix);
};
const withId = (prefix: string, r: Ref, suffix = '') =>
  fc
    .oneof(
      { weight: 4, arbitrary: fc.constant(ref(r)) },
      { weight: 1, arbitrary: nasty.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'))) },
      { weight: 1, arbitrary: fc.constantFrom('%2e%2e', '..', '%00', '%', '%2F') },
    )
    .map((id) => `${prefix}${id}${suffix}`);

const listQuery = fc.array(fc.oneof(pair('all', value(fc.constantFrom('true', 'false'))), pair('limit', value(fc.constantFrom('1', '5000', '0', '5001')))), {
  maxLength: 3,
});
const auditQueryArb = fc.array(
  fc.oneof(
    pair('agent', refOr('agentId')),
    pair('outcome', value(fc.constantFrom('ok', 'refused'))),
    pair('type', value(fc.constantFrom('grant.approved', 'client.auth_failed'))),
    pair('since', value(fc.constantFrom('0', '1800000000', '-1'))),
    pair('until', value(fc.constantFrom('0', '99999999999'))),
    pair('before_id', value(fc.constantFrom('1', '0', '1e3'))),
    pair('limit', value(fc.constantFrom('1', '10000', '10001'))),
    pair('resource', value(resource)),
  ),
  { maxLength: 4 },
);

const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: at('/.well-known/oauth-authorization-server'), body: none },
  { method: 'GET', path: at('/jwks.json'), body: none },
  { method: 'POST', path: at('/bc-authorize'), body: form(bcAuthorizeForm) },
  { method: 'POST', path: at('/token'), body: form(tokenForm) },
  { method: 'POST', path: at('/introspect'), body: form(tokenParamForm) },
  { method: 'POST', path: at('/revoke'), body: form(tokenParamForm) },
  { method: 'POST', path: at(contractPath('pair')), body: json(fc.record({ code: refOr('pairCode'), label: nasty }, { requiredKeys: ['code'] })) },
  { method: 'GET', path: at(contractPath('session')), body: none },
  { method: 'POST', path: at(contractPath('pairingCodes.create')), body: json(fc.constant({})) },
  { method: 'GET', path: at(contractPath('credentials.list')), body: none },
  { method: 'DELETE', path: withParam('credentials.revoke', 'credentialId'), body: none },
  { method: 'GET', path: at(contractPath('requests.list')), body: none, query: listQuery },
  { method: 'POST', path: withParam('requests.approve', 'authReqId'), body: json(approveBody) },
  { method: 'POST', path: withParam('requests.deny', 'authReqId'), body: json(fc.record({ reason: nasty }, { requiredKeys: [] })) },
  { method: 'GET', path: at(contractPath('grants.list')), body: none, query: listQuery },
  { method: 'GET', path: withParam('grants.get', 'grantId'), body: none },
  { method: 'POST', path: at(contractPath('grants.revokeAll')), body: json(fc.constant({})) },
  { method: 'POST', path: withParam('grants.revoke', 'grantId'), body: json(fc.constant({})) },
  { method: 'GET', path: at(contractPath('agents.list')), body: none },
  { method: 'POST', path: at(contractPath('agents.list')), body: json(agentBody) },
  { method: 'DELETE', path: withParam('agents.remove', 'clientId'), body: none },
  { method: 'GET', path: at(contractPath('external.list')), body: none, query: listQuery },
  { method: 'POST', path: at(contractPath('external.list')), body: json(externalBody) },
  {
    method: 'POST',
    path: withParam('external.outcome', 'externalId'),
    body: json(fc.record({ result: fc.constantFrom('granted', 'denied', 'x'), error: nasty }, { requiredKeys: [] })),
  },
  { method: 'POST', path: withParam('external.revoke', 'externalId'), body: json(fc.constant({})) },
  { method: 'POST', path: at(contractPath('chat.record')), body: json(chatBody) },
  { method: 'GET', path: at(contractPath('audit.list')), body: none, query: auditQueryArb },
  { method: 'GET', path: at(contractPath('audit.verify')), body: none },
  { method: 'GET', path: at(contractPath('policy.get')), body: none },
  { method: 'POST', path: at(contractPath('policy.pushBrowser')), body: json(policyBody) },
  { method: 'GET', path: at(contractPath('events')), body: none },
];

// ---- headers --------------------------------------------------------------------------------------------------

const hostHeader = fc.oneof(
  { weight: 12, arbitrary: fc.constant(`127.0.0.1:${ref('port')}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `localhost:${ref('port')}`,
      `LOCALHOST:${ref('port')}`,
      `[::1]:${ref('port')}`,
      '127.0.0.1',
      'evil.example',
      `evil.example:${ref('port')}`,
      `127.0.0.1:${ref('port')}.evil`,
      '',
      `127.0.0.1:${ref('port')} `,
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);
const originHeader = fc.oneof(
  { weight: 10, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'chrome-extension://abcdefghijklmnop',
      'moz-extension://1234-5678',
      'https://evil.example',
      'null',
      'chrome-extension://',
      'file://',
      `http://127.0.0.1:${ref('port')}`,
    ),
  },
);
const authorizationHeader = fc.oneof(
  { weight: 12, arbitrary: fc.constant('«natural»') },
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.constant(`Bearer ${ref('adminToken')}`) },
  { weight: 3, arbitrary: fc.constant(`Basic ${ref('agentId')}:${ref('agentSecret')}`) },
  { weight: 1, arbitrary: fc.constant(`Basic ${ref('rsId')}:${ref('rsSecret')}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      `bearer ${ref('adminToken')}`,
      `Bearer  ${ref('adminToken')}`,
      `Bearer ${ref('token')}`,
      `DPoP ${ref('token')}`,
      `Basic ${ref('agentId')}:wrong`,
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from(':').toString('base64')}`,
      `Basic ${Buffer.from('%zz:%zz').toString('base64')}`,
      `Basic ${Buffer.from('\u0000:\u0000').toString('base64')}`,
      'Bearer',
      `Bearer ${'A'.repeat(5000)}`,
      'Negotiate x',
    ),
  },
);
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('«natural»') },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'APPLICATION/JSON; charset=utf-16',
      'application/x-www-form-urlencoded; charset=iso-8859-1',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/json, application/x-www-form-urlencoded',
      '',
    ),
  },
);
const extraHeaders = fc.array(
  fc.oneof(
    pair('last-event-id', value(fc.constantFrom('0', '1', '-1', '999999999999', 'abc'))),
    pair('accept', fc.constantFrom('text/event-stream', '*/*', 'application/json')),
    pair('x-forwarded-for', fc.constant('8.8.8.8')),
    pair('transfer-encoding', fc.constantFrom('chunked', 'gzip')),
    pair('content-encoding', fc.constantFrom('gzip', 'br')),
  ),
  { maxLength: 2 },
);

/** The credential the endpoint expects: admin bearer, resource server for introspection, else the agent. */
function naturalAuth(path: string): string {
  if (path.startsWith(ADMIN_PREFIX)) return `Bearer ${ref('adminToken')}`;
  if (path === '/introspect') return `Basic ${ref('rsId')}:${ref('rsSecret')}`;
  return `Basic ${ref('agentId')}:${ref('agentSecret')}`;
}

export const httpCase: fc.Arbitrary<HttpCase> = fc
  .tuple(
    fc.constantFrom(...ENDPOINTS),
    fc.oneof(
      { weight: 10, arbitrary: fc.constant<string | null>(null) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
    ),
    fc.record({ host: hostHeader, origin: originHeader, authorization: authorizationHeader, contentType, extra: extraHeaders }),
    fc.oneof({ weight: 30, arbitrary: fc.constant<'app'>('app') }, { weight: 1, arbitrary: fc.constant<'socket'>('socket') }),
    fc.constantFrom<'true' | 'short' | 'long' | 'none'>('true', 'short', 'long', 'none'),
    fc.option(fc.constantFrom<Body>({ kind: 'bytes', bytes: [0xff, 0xfe, 0x00, 0x41] }, { kind: 'bytes', bytes: [0xc3, 0x28, 0x3d, 0x25] }), { freq: 15 }),
  )
  .chain(([ep, method, h, transport, contentLength, bytes]) =>
    fc.tuple(ep.path, ep.query ?? fc.constant<[string, string][]>([]), ep.body).map(([path, query, body]): HttpCase => {
      const headers: [string, string][] = [];
      if (h.host !== null) headers.push(['host', h.host]);
      if (h.origin !== null) headers.push(['origin', h.origin]);
      if (h.authorization !== null) headers.push(['authorization', h.authorization === '«natural»' ? naturalAuth(path) : h.authorization]);
      const b = bytes ?? body;
      if (h.contentType !== null) {
        const natural = b.kind === 'form' ? 'application/x-www-form-urlencoded' : b.kind === 'json' ? 'application/json' : null;
        const ct = h.contentType === '«natural»' ? natural : h.contentType;
        if (ct !== null) headers.push(['content-type', ct]);
      }
      headers.push(...h.extra);
      return { method: method ?? ep.method, path, query, headers, body: b, transport, contentLength };
    }),
  );
