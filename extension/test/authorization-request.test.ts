import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, parseAuthorizationRequest, redirectOutcome, withScopes } from '../src/intercept/authorization-request.js';
import { platformFor } from '../src/intercept/platforms.js';

const GOOGLE = 'https://accounts.google.com/o/oauth2/v2/auth';
const CHATGPT_CB = 'https://chatgpt.com/connector/oauth/OUbdUMlL15Ct';
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
const req = (extra: Record<string, string> = {}) =>
  `${GOOGLE}?${q({ response_type: 'code', client_id: 'abc.apps.googleusercontent.com', redirect_uri: CHATGPT_CB, scope: 'openid https://www.googleapis.com/auth/gmail.readonly', state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', ...extra })}`;

describe('recognising agent OAuth requests', () => {
  it('parses a ChatGPT connector request to Google', () => {
    const r = parseAuthorizationRequest(req({ resource: 'https://gmail.googleapis.com/' }));
    expect(r.kind).toBe('request');
    if (r.kind !== 'request') return;
    expect(r.request).toMatchObject({
      provider: 'accounts.google.com',
      platform: { id: 'chatgpt' },
      clientId: 'abc.apps.googleusercontent.com',
      scopes: ['openid', 'https://www.googleapis.com/auth/gmail.readonly'],
      resources: ['https://gmail.googleapis.com/'],
      pkce: 'S256',
    });
  });

  it.each([
    ['https://chatgpt.com/connector_platform_oauth_redirect', 'chatgpt'],
    ['https://chat.openai.com/connector/oauth/abc', 'chatgpt'],
    ['https://claude.ai/api/mcp/auth_callback', 'claude'],
    ['https://claude.com/api/mcp/auth_callback', 'claude'],
    ['http://localhost:33418/callback', 'local'],
    ['http://127.0.0.1:9000/oauth/cb', 'local'],
    ['http://[::1]:8080/cb', 'local'],
    ['http://localhost/callback', 'local'],
    ['http://localhost:8080/', 'local'],
    ['http://127.0.0.1:8765/oauth2callback', 'local'],
    ['https://localhost:3000/callback', 'local'],
    ['cursor://anysphere.cursor-mcp/oauth/callback', 'local'],
  ])('knows %s as %s', (redirect, id) => expect(platformFor(new URL(redirect))?.id).toBe(id));

  it.each([
    'https://chatgpt.com.evil.example/connector/oauth/x',
    'https://evil.example/connector/oauth/x',
    'https://claude.ai/api/mcp/auth_callback/../../elsewhere',
    'https://localhost.evil.example/callback',
    'https://127.0.0.1.nip.example/callback',
  ])('does not treat %s as a platform', (redirect) => expect(platformFor(new URL(redirect))).toBeUndefined());

  it('adds patterns from the person or policy', () => {
    expect(platformFor(new URL('https://agents.example.com/oauth/cb'), ['https://agents.example.com/oauth/*'])?.id).toBe('custom:agents.example.com');
    expect(platformFor(new URL('https://agents.example.com/oauth/cb'), ['javascript:alert(1)'])).toBeUndefined();
  });
});

describe('hostile inputs', () => {
  it.each([
    ['duplicated scope', `${req()}&scope=admin`, 'refused'],
    ['duplicated redirect_uri', `${req()}&redirect_uri=${encodeURIComponent('https://evil.example/')}`, 'refused'],
    ['duplicated client_id', `${req()}&client_id=other`, 'refused'],
    ['oversized', `${req()}&pad=${'a'.repeat(MAX_URL_LENGTH)}`, 'refused'],
    ['javascript: redirect', req({ redirect_uri: 'javascript:alert(1)//chatgpt.com/connector/oauth/x' }), 'refused'],
    ['data: redirect', req({ redirect_uri: 'data:text/html,<script>alert(1)</script>' }), 'refused'],
    ['unparsable redirect', req({ redirect_uri: 'http://[bad' }), 'refused'],
    ['javascript: page', 'javascript:alert(1)', 'not-agent-oauth'],
    ['data: page', 'data:text/html,hi', 'not-agent-oauth'],
    ['no response_type', `${GOOGLE}?${q({ client_id: 'a', redirect_uri: CHATGPT_CB })}`, 'not-agent-oauth'],
    ['parameters only in the fragment', `${GOOGLE}#${q({ response_type: 'code', client_id: 'a', redirect_uri: CHATGPT_CB })}`, 'not-agent-oauth'],
    ['not a platform', req({ redirect_uri: 'https://example.com/cb' }), 'not-agent-oauth'],
    ['garbage', '::::', 'not-agent-oauth'],
  ])('%s → %s', (_, url, kind) => expect(parseAuthorizationRequest(url).kind).toBe(kind));

  it('decodes double-encoded parameters only once', () => {
    const r = parseAuthorizationRequest(
      `${GOOGLE}?response_type=code&client_id=a&redirect_uri=${encodeURIComponent(CHATGPT_CB)}&scope=${encodeURIComponent(encodeURIComponent('a b'))}`,
    );
    expect(r.kind === 'request' && r.request.scopes).toEqual(['a%20b']);
  });

  it('reports PKCE absent or weak', () => {
    const none = parseAuthorizationRequest(`${GOOGLE}?${q({ response_type: 'code', client_id: 'a', redirect_uri: CHATGPT_CB })}`);
    expect(none.kind === 'request' && none.request.pkce).toBe('none');
    const plain = parseAuthorizationRequest(req({ code_challenge_method: 'plain' }));
    expect(plain.kind === 'request' && plain.request.pkce).toBe('plain');
  });

  it('keeps invalid authorization_details as raw text', () => {
    const r = parseAuthorizationRequest(req({ authorization_details: '[{"type":' }));
    expect(r.kind === 'request' && r.request.authorizationDetails).toEqual({ raw: '[{"type":', parsed: undefined });
  });
});

describe('narrowing and outcomes', () => {
  it('rewrites only scope, keeping everything else', () => {
    const r = parseAuthorizationRequest(req());
    if (r.kind !== 'request') throw new Error('expected a request');
    expect(withScopes(r.request, r.request.scopes)).toBe(r.request.url.href);
    const narrowed = new URL(withScopes(r.request, ['openid']));
    expect(narrowed.searchParams.get('scope')).toBe('openid');
    for (const k of ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method']) {
      expect(narrowed.searchParams.get(k)).toBe(r.request.url.searchParams.get(k));
    }
  });

  it.each([
    [`${CHATGPT_CB}?code=abc&state=s`, { result: 'granted' }],
    [`${CHATGPT_CB}?error=access_denied&state=s`, { result: 'denied', error: 'access_denied' }],
    [`${CHATGPT_CB}#error=access_denied`, { result: 'denied', error: 'access_denied' }],
    [`${CHATGPT_CB}?error=${encodeURIComponent('<script>')}`, { result: 'denied', error: '<script>' }],
    [`${CHATGPT_CB}?error=${'x'.repeat(500)}`, { result: 'denied', error: 'invalid_error' }],
    [`${CHATGPT_CB}?state=s`, undefined],
  ])('redirect %s → %j', (url, outcome) => expect(redirectOutcome(url)).toEqual(outcome));
});
