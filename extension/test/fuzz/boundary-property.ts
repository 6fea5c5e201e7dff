/**
 * Properties over the extension's message boundary (pure parts): who may ask for what (sender-policy.ts), what
 * payloads the service worker accepts (shared/src/protocol.ts), and the interception parser
 * (intercept/authorization-request.ts), which reads URLs any page can build.
 */
import fc from 'fast-check';
import { SCOPE_TOKEN_RE } from '#shared/oauth.js';
import { envelope, messages, type MessageType } from '#shared/protocol.js';
import { classifySender, mayCall } from '../../src/background/sender-policy.js';
import { parseAuthorizationRequest } from '../../src/intercept/authorization-request.js';

export const EXTENSION_ID = 'ffgkmgaanieiccjamnkagikpfjiadigm';
const BASE = `chrome-extension://${EXTENSION_ID}/`;
const MESSAGE_TYPES = Object.keys(messages) as MessageType[];
/** What only the person, on an extension page, may ask for. */
const PRIVILEGED = new Set([
  'requests.approve',
  'requests.deny',
  'grants.revoke',
  'grants.revokeAll',
  'pair',
  'unpair',
  'settings.setDaemonUrl',
  'settings.update',
  'intercept.decide',
  'intercept.pass',
  'externals.revoke',
]);

const tab = { id: 7, index: 0, highlighted: false, active: true, pinned: false, incognito: false };
const senderUrl = fc.oneof(
  fc.constantFrom(
    `${BASE}src/popup/index.html`,
    `chrome-extension://${EXTENSION_ID}.evil.example/popup`,
    `chrome-extension://${EXTENSION_ID}`,
    `CHROME-EXTENSION://${EXTENSION_ID}/x`,
    `chrome-extension://abcdefghijklmnopabcdefghijklmnop/x.html`,
    'https://chatgpt.com/c/1',
    `https://evil.example/${BASE}`,
    'about:blank',
    '',
  ),
  fc.webUrl(),
  fc.string(),
);
export const sender = fc.record(
  {
    id: fc.oneof(fc.constant(EXTENSION_ID), fc.constant(EXTENSION_ID.toUpperCase()), fc.constant(`${EXTENSION_ID} `), fc.string({ maxLength: 40 })),
    url: senderUrl,
    origin: fc.oneof(fc.constant(BASE.slice(0, -1)), fc.webUrl()),
    tab: fc.constant(tab),
    frameId: fc.nat(),
  },
  { requiredKeys: [] },
);
const messageType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MESSAGE_TYPES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 70 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty') },
);
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      id: fc.string(),
      scope: fc.array(fc.string()),
      expires_in: fc.oneof(fc.integer(), fc.double()),
      code: fc.string(),
      daemonUrl: fc.string(),
      url: fc.string(),
    },
    { requiredKeys: [] },
  ),
  fc.constant(JSON.parse('{"__proto__":{"ok":true},"id":"x"}') as unknown),
);

/** A sender that is not one of our extension pages never reaches a privileged message type. */
export const senderProperty = fc.property(sender, messageType, (s, type) => {
  const kind = classifySender(s, EXTENSION_ID, BASE);
  const isOurPage = s.id === EXTENSION_ID && (s.url ?? '').startsWith(BASE);
  if (!isOurPage && kind === 'extension-page') throw new Error(`${JSON.stringify(s)} classified as an extension page`);
  if (kind !== 'extension-page' && PRIVILEGED.has(type) && mayCall(kind, type)) throw new Error(`${kind} may call ${type}`);
  if (kind !== 'extension-page' && !['content.report', 'content.context'].includes(type) && mayCall(kind, type)) throw new Error(`${kind} may call ${type}`);
});

/** Parsing never throws; what a schema accepts is well-formed (scope tokens, positive integer durations). */
export const payloadProperty = fc.property(messageType, payload, (type, p) => {
  const env = envelope.safeParse({ type, payload: p });
  if (!env.success || !Object.hasOwn(messages, type)) return;
  const parsed = messages[type as MessageType].request.safeParse(p);
  if (!parsed.success) return;
  const v = parsed.data as Record<string, unknown>;
  if (type === 'requests.approve') {
    const scope = v.scope as string[];
    if (!scope.every((s) => SCOPE_TOKEN_RE.test(s))) throw new Error(`approve accepted scope ${JSON.stringify(scope)}`);
    if (!Number.isSafeInteger(v.expires_in) || (v.expires_in as number) <= 0) throw new Error(`approve accepted expires_in ${String(v.expires_in)}`);
  }
  if (Object.hasOwn(v, '__proto__')) throw new Error(`${type} kept a __proto__ key`);
});

const PLATFORM_REDIRECTS = [
  'https://chatgpt.com/connector/oauth/abc',
  'https://claude.ai/api/mcp/auth_callback',
  'https://claude.com/api/mcp/auth_callback',
  'http://localhost:8080/callback',
  'https://chatgpt.com.evil.example/connector/oauth/abc',
];
const authUrl = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('https://accounts.google.com/o/oauth2/auth', 'https://github.com/login/oauth/authorize', 'http://127.0.0.1/authorize', 'ftp://x/'),
      fc.array(
        fc.oneof(
          fc.tuple(
            fc.constantFrom(
              'response_type',
              'client_id',
              'redirect_uri',
              'scope',
              'authorization_details',
              'code_challenge',
              'code_challenge_method',
              'resource',
              'request_uri',
              'request',
              'Client_ID',
              'redirect%5Furi',
            ),
            fc.string(),
          ),
          fc.tuple(fc.constant('redirect_uri'), fc.constantFrom(...PLATFORM_REDIRECTS)),
          fc.tuple(fc.constant('response_type'), fc.constant('code')),
          fc.tuple(fc.constant('client_id'), fc.string({ maxLength: 600 })),
        ),
        { maxLength: 8 },
      ),
      fc.boolean(),
    )
    .map(([base, ps, raw]) => `${base}?${raw ? ps.map(([k, v]) => `${k}=${v}`).join('&') : new URLSearchParams(ps).toString()}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('x'.repeat(9000), `https://a/?response_type=code&client_id=x&redirect_uri=${'%'.repeat(9000)}`),
);

/**
 * Never throws, and decides the same way twice; a recognised request either names a redirect an app can
 * receive (web, loopback or an app scheme; never javascript:, data: and the like) or is marked hidden.
 */
export const interceptProperty = fc.property(
  authUrl,
  fc.array(fc.constantFrom('https://example.com/cb', 'https://*.example/*', '*', ''), { maxLength: 2 }),
  (url, patterns) => {
    const a = parseAuthorizationRequest(url, patterns);
    const b = parseAuthorizationRequest(url, patterns);
    if (a.kind !== b.kind || ('reason' in a && 'reason' in b && a.reason !== b.reason)) throw new Error(`unstable decision for ${url}`);
    if (a.kind !== 'request') return;
    const redirect = a.request.redirectUri;
    if (redirect === null && a.request.hidden === null) throw new Error(`recognised a request with no redirect that is not marked hidden: ${url}`);
    if (redirect && /^(javascript|data|blob|file|about|filesystem|view-source):$/.test(redirect.protocol))
      throw new Error(`recognised a ${redirect.protocol} redirect`);
  },
);
