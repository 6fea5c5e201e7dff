/**
 * Issue 8 §1–2: the ways around consent interception, as classes. Each request below reached a provider
 * unreviewed before; each must now be caught by the network rules AND decided as an agent's request (or a
 * hidden one) by the parser, decoded the way the provider reads it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSignInOnlyRequest, parseAuthorizationRequest, withScopes } from '../src/intercept/authorization-request.js';
import { allowRule, filterSafe, looksLikeAuthorizationEndpoint, looksLikeAuthorizationRequest, staticRules } from '../src/intercept/coarse-filter.js';

const AS = 'https://accounts.provider.example/oauth2/authorize';
const CLAUDE = 'https://claude.ai/api/mcp/auth_callback';
const base = `response_type=code&client_id=app1&scope=${encodeURIComponent('openid files.write')}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`;
const enc = (s: string) => encodeURIComponent(s);
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Every address here is an agent's request (or a hidden one): it must be caught and never passed. */
const MUST_REVIEW: [string, string][] = [
  ['plain', `${AS}?${base}&redirect_uri=${enc(CLAUDE)}`],
  ['redirect fully encoded with an encoded dot', `${AS}?${base}&redirect_uri=https%3A%2F%2Fclaude%2Eai%2Fapi%2Fmcp%2Fauth_callback`],
  ['encoded letter in the redirect host', `${AS}?${base}&redirect_uri=${enc('https://%63laude.ai/api/mcp/auth_callback')}`],
  ['encoded letters in the redirect path', `${AS}?${base}&redirect_uri=${enc('https://claude.ai/%61pi/mcp/auth_callback')}`],
  ['encoded slashes in the redirect path', `${AS}?${base}&redirect_uri=${enc('https://claude.ai/api%2Fmcp%2F%61uth_callback')}`],
  ['encoded parameter name redirect_uri', `${AS}?${base}&redirect%5Furi=${enc(CLAUDE)}`],
  ['encoded parameter name client_id', `${AS}?response_type=code&%63lient_id=app1&redirect_uri=${enc(CLAUDE)}&scope=files.write`],
  ['encoded response_type name', `${AS}?response%5ftype=code&client_id=app1&redirect_uri=${enc(CLAUDE)}&scope=files.write`],
  ['upper-case host', `${AS}?${base}&redirect_uri=${enc('https://CLAUDE.AI/api/mcp/auth_callback')}`],
  ['trailing dot host', `${AS}?${base}&redirect_uri=${enc('https://claude.ai./api/mcp/auth_callback')}`],
  ['no redirect_uri (registered one used)', `${AS}?${base}`],
  ['PAR request_uri', `${AS}?client_id=app1&request_uri=${enc('urn:ietf:params:oauth:request_uri:abc123')}`],
  ['request_uri by reference', `${AS}?client_id=app1&request_uri=${enc('https://app.example/req/1')}`],
  [
    'JAR request object',
    `${AS}?client_id=app1&request=${b64url({ alg: 'RS256' })}.${b64url({ client_id: 'app1', response_type: 'code', redirect_uri: CLAUDE, scope: 'openid files.write' })}.c2ln`,
  ],
  [
    'JAR that hides an agent redirect behind a harmless outer one',
    `${AS}?client_id=app1&response_type=code&redirect_uri=${enc('https://example.com/cb')}&request=${b64url({ alg: 'RS256' })}.${b64url({ client_id: 'app1', response_type: 'code', redirect_uri: CLAUDE, scope: 'files.write' })}.c2ln`,
  ],
  ['encrypted request object', `${AS}?client_id=app1&request=a.b.c.d.e`],
  ['loopback without a port', `${AS}?${base}&redirect_uri=${enc('http://localhost/callback')}`],
  ['loopback root path', `${AS}?${base}&redirect_uri=${enc('http://localhost:8080/')}`],
  ['loopback oauth2callback', `${AS}?${base}&redirect_uri=${enc('http://127.0.0.1:8765/oauth2callback')}`],
  ['private-use scheme', `${AS}?${base}&redirect_uri=${enc('cursor://anysphere.cursor-mcp/oauth/callback')}`],
  ['plus instead of space', `${AS}?response_type=code&client_id=app1&scope=openid+files.write&redirect_uri=${enc(CLAUDE)}`],
];

describe('every bypass class is caught by the network rules', () => {
  it.each(MUST_REVIEW)('%s', (_, url) => {
    expect(looksLikeAuthorizationRequest(url)).toBe(true);
  });
});

describe('and decided as an agent request or a hidden one, never passed', () => {
  it.each(MUST_REVIEW)('%s', (_, url) => {
    const r = parseAuthorizationRequest(url);
    expect(r.kind).toBe('request');
    if (r.kind !== 'request') return;
    expect(r.request.platform !== null || r.request.hidden !== null).toBe(true);
    expect(isSignInOnlyRequest(r.request)).toBe(false);
  });

  it('reads a signed request object the way the provider does: its claims, not the outer query', () => {
    const url = MUST_REVIEW.find(([n]) => n.startsWith('JAR that hides'))![1];
    const r = parseAuthorizationRequest(url);
    if (r.kind !== 'request') throw new Error(r.reason);
    expect(r.request.platform?.id).toBe('claude');
    expect(r.request.scopes).toEqual(['files.write']);
    expect(r.request.narrowable).toBe(false);
    expect(() => withScopes(r.request, [])).toThrow(TypeError);
  });

  it.each([
    ['pushed', 'PAR request_uri'],
    ['request-object-by-reference', 'request_uri by reference'],
    ['encrypted-request-object', 'encrypted request object'],
    ['no-redirect', 'no redirect_uri (registered one used)'],
  ])('marks %s requests as hidden', (hidden, name) => {
    const r = parseAuthorizationRequest(MUST_REVIEW.find(([n]) => n === name)![1]);
    expect(r.kind === 'request' && r.request.hidden).toBe(hidden);
  });

  it('refuses a redirect whose host hides a path (%2F in the host): no provider may receive it', () => {
    const r = parseAuthorizationRequest(`${AS}?${base}&redirect_uri=${enc('https://claude.ai%2F%61pi/mcp/auth_callback')}`);
    expect(r.kind).toBe('refused');
  });

  it('refuses a request object that names another client', () => {
    const url = `${AS}?client_id=app1&request=${b64url({ alg: 'none' })}.${b64url({ client_id: 'other', redirect_uri: CLAUDE })}.`;
    expect(parseAuthorizationRequest(url).kind).toBe('refused');
  });
});

describe('sign-in only means only sign-in', () => {
  const signIn = `${AS}?response_type=code&client_id=app1&scope=${enc('openid email profile')}&redirect_uri=${enc(CLAUDE)}&state=s&nonce=n`;
  it('a plain OpenID sign-in continues by itself', () => {
    const r = parseAuthorizationRequest(signIn);
    expect(r.kind === 'request' && isSignInOnlyRequest(r.request)).toBe(true);
  });
  it.each([
    ['authorization_details', `&authorization_details=${enc('[{"type":"payment_initiation"}]')}`],
    ['resource', `&resource=${enc('https://api.example/')}`],
    ['claims', `&claims=${enc('{"userinfo":{"phone_number":null}}')}`],
    ['include_granted_scopes', '&include_granted_scopes=true'],
    ['access_type=offline', '&access_type=offline'],
  ])('one with %s is reviewed', (_, extra) => {
    const r = parseAuthorizationRequest(signIn + extra);
    expect(r.kind).toBe('request');
    expect(r.kind === 'request' && isSignInOnlyRequest(r.request)).toBe(false);
  });
});

describe('what is not an agent request still goes through untouched', () => {
  it.each([
    ['a website’s own sign-in', `${AS}?${base}&redirect_uri=${enc('https://shop.example/auth/callback')}`],
    ['client_id without response_type', `https://api.example/photos?client_id=public-key`],
  ])('%s', (_, url) => expect(parseAuthorizationRequest(url).kind).toBe('not-agent-oauth'));

  it('ordinary addresses are not even caught', () => {
    for (const url of [
      'https://example.com/',
      'https://example.com/search?q=client_id',
      'https://example.com/?a=1&b=%20x',
      'https://shop.example/p?filter%5Bname%5D=x',
    ]) {
      expect(looksLikeAuthorizationRequest(url)).toBe(false);
    }
  });
});

describe('the static ruleset', () => {
  it('is the committed file, generated from coarse-filter.ts (npm run rules)', () => {
    const file = JSON.parse(readFileSync(resolve(import.meta.dirname, '../public/rules/intercept.json'), 'utf8')) as unknown;
    expect(file).toEqual(staticRules());
  });

  it('reviews frames, catches cross-site form posts to authorization endpoints, blocks cross-site subresources', () => {
    const rules = staticRules();
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    const frames = rules.filter((r) => (r.condition.resourceTypes ?? []).includes('sub_frame'));
    expect(frames.every((r) => (r.condition.resourceTypes ?? []).includes('main_frame') && r.action.type === 'redirect')).toBe(true);
    expect(
      rules
        .filter((r) => r.action.type === 'block')
        .every((r) => r.condition.domainType === 'thirdParty' && !(r.condition.resourceTypes ?? []).includes('main_frame')),
    ).toBe(true);
    expect(looksLikeAuthorizationEndpoint('https://github.com/login/oauth/authorize')).toBe(true);
    expect(looksLikeAuthorizationEndpoint('https://accounts.google.com/o/oauth2/v2/auth')).toBe(true);
    expect(looksLikeAuthorizationEndpoint('https://login.microsoftonline.com/common/oauth2/v2.0/authorize')).toBe(true);
    expect(looksLikeAuthorizationEndpoint('https://shop.example/cart/checkout')).toBe(false);
  });
});

describe('the one-time allow rule', () => {
  it('matches exactly one address: urlFilter wildcards are encoded away first', () => {
    const url = `${AS}?${base}&redirect_uri=${enc(CLAUDE)}&state=a*b^c|d`;
    const safe = filterSafe(url);
    expect(safe).not.toMatch(/[*^|]/);
    expect(new URL(safe).searchParams.get('state')).toBe('a*b^c|d'); // the provider reads the same value
    const rule = allowRule(500_001, 7, safe);
    expect(rule.condition).toMatchObject({ urlFilter: `|${safe}|`, isUrlFilterCaseSensitive: true, tabIds: [7], resourceTypes: ['main_frame'] });
    expect(() => allowRule(500_001, 7, url)).toThrow(TypeError);
  });
});
