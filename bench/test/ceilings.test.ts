/**
 * The checking ceilings (bench/peers/*-ceiling.ts with `--auth`, `--checks`) really check: a ceiling that let any
 * request through would overstate what the required work allows, and the bench's argument with it.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../daemon/test/conformance/support.js';
import { type SpawnedServer, spawnServer, stop } from '../daemon.js';
import { introspectionResponse } from '#shared/oauth.js';
import { signedAccessToken } from '../peers/ceiling-token.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const wrongSecret = (authorization: string) => {
  const [id] = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8').split(':');
  return `Basic ${Buffer.from(`${id}:not-the-secret`).toString('base64')}`;
};

async function post(url: string, headers: Record<string, string>, body: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A bound does all a daemon route must do, the daemon's own Host/Origin guard and security headers included. */
async function expectGuarded(s: SpawnedServer, path: string, authorization: string, body: string) {
  const { host, port } = new URL(s.url);
  const postAs = (headers: Record<string, string>) => rawRequest(Number(port), { method: 'POST', path, headers: { ...FORM, authorization, ...headers }, body });
  const answered = await postAs({ host });
  expect(answered.status).toBe(200);
  expect(answered.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  expect((await postAs({ host: 'evil.example' })).status).toBe(403);
  expect((await postAs({ host, origin: 'https://evil.example' })).status).toBe(403);
}

/** The same token with one character of its payload (the last segment kept) or of its signature changed. */
function alteredTokens(token: string): string[] {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const flip = (segment: string, at: number) => `${segment.slice(0, at)}${segment[at] === 'A' ? 'B' : 'A'}${segment.slice(at + 1)}`;
  return [`${header}.${flip(payload, 10)}.${signature}`, `${header}.${payload}.${flip(signature, 5)}`];
}

/** Starts a ceiling for the enclosing `describe` and stops it after; the getter gives the running server. */
function ceiling(file: string, flags: string[], env?: Record<string, string>): () => SpawnedServer {
  let server: SpawnedServer | undefined;
  beforeAll(async () => {
    server = await spawnServer(['--import', 'tsx', `bench/peers/${file}`, ...flags], { env });
  }, 30_000);
  afterAll(() => (server ? stop(server.child) : undefined));
  return () => server!;
}

describe('read ceiling --auth', () => {
  const running = ceiling('read-ceiling.ts', ['--auth']);

  it('answers an authenticated caller, and refuses a missing or wrong secret with 401', async () => {
    const s = running();
    const authorization = String(s.start.authorization);
    const token = String(s.start.token);
    expect(await post(`${s.url}/introspect`, { authorization }, { token })).toMatchObject({ status: 200, body: { active: true } });
    expect(await post(`${s.url}/introspect`, {}, { token })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await post(`${s.url}/introspect`, { authorization: wrongSecret(authorization) }, { token })).toMatchObject({ status: 401 });
  });

  it("is presented a JWT of the daemon's shape, and finds only that exact text", async () => {
    const s = running();
    const authorization = String(s.start.authorization);
    const token = String(s.start.token);
    expect(token.split('.')).toHaveLength(3);
    expect(token.length).toBeGreaterThan(400);
    for (const altered of alteredTokens(token)) {
      expect(await post(`${s.url}/introspect`, { authorization }, { token: altered })).toMatchObject({ status: 200, body: { active: false } });
    }
  });

  it("runs behind the daemon's Host/Origin guard", async () => {
    const s = running();
    await expectGuarded(s, '/introspect', String(s.start.authorization), `token=${String(s.start.token)}`);
  });
});

describe("read ceiling given the daemon's token (CEILING_TOKEN)", () => {
  const given = signedAccessToken('given-jti');
  const running = ceiling('read-ceiling.ts', ['--memory', '--auth'], { CEILING_TOKEN: given });

  it('is presented that very token, knows it, and answers its claims', async () => {
    const s = running();
    expect(s.start.token).toBe(given);
    const answer = await post(`${s.url}/introspect`, { authorization: String(s.start.authorization) }, { token: given });
    expect(answer).toMatchObject({ status: 200, body: { active: true, token_type: 'Bearer', jti: 'given-jti', act: { sub: 'agent' } } });
    expect(introspectionResponse.safeParse(answer.body).success).toBe(true);
  });
});

describe('read ceiling --memory --auth', () => {
  const running = ceiling('read-ceiling.ts', ['--memory', '--auth']);

  it('answers from memory, and no other connection can write a revocation it would miss: the file is held exclusively', async () => {
    const s = running();
    const authorization = String(s.start.authorization);
    const token = String(s.start.token);
    expect(await post(`${s.url}/introspect`, { authorization }, { token })).toMatchObject({ status: 200, body: { active: true } });
    expect(await post(`${s.url}/introspect`, { authorization: wrongSecret(authorization) }, { token })).toMatchObject({ status: 401 });
    const other = new Database(String(s.start.db), { timeout: 0 });
    try {
      expect(() => other.prepare(`UPDATE grants SET status = 'revoked'`).run()).toThrow(/database is locked/);
    } finally {
      other.close();
    }
    expect(await post(`${s.url}/introspect`, { authorization }, { token })).toMatchObject({ status: 200, body: { active: true } });
  });

  it("runs behind the daemon's Host/Origin guard", async () => {
    const s = running();
    await expectGuarded(s, '/introspect', String(s.start.authorization), `token=${String(s.start.token)}`);
  });
});

describe('durable ceiling --checks', () => {
  const running = ceiling('durable-ceiling.ts', ['--checks']);

  it('issues a signed token for the client and subject token it knows, and refuses anything else', async () => {
    const s = running();
    const authorization = String(s.start.authorization);
    const subject_token = String(s.start.subject_token);
    const ok = await post(`${s.url}/token`, { authorization }, { subject_token });
    expect(ok.status).toBe(200);
    expect(String(ok.body.access_token).split('.')).toHaveLength(3);
    expect(await post(`${s.url}/token`, { authorization: wrongSecret(authorization) }, { subject_token })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    for (const unknown of ['unknown', ...alteredTokens(subject_token)]) {
      expect(await post(`${s.url}/token`, { authorization }, { subject_token: unknown })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    }
  });

  it("runs behind the daemon's Host/Origin guard", async () => {
    const s = running();
    await expectGuarded(s, '/token', String(s.start.authorization), `subject_token=${String(s.start.subject_token)}`);
  });
});

describe('metadata document --guard', () => {
  const doc = JSON.stringify({ issuer: 'http://127.0.0.1' });
  const running = ceiling('hono-hello.ts', ['--guard'], { HELLO_BODY: doc });

  it("serves the document behind the daemon's Host/Origin guard, with its security headers", async () => {
    const { host, port } = new URL(running().url);
    const get = (headers: Record<string, string>) => rawRequest(Number(port), { path: '/', headers });
    const answered = await get({ host });
    expect(answered).toMatchObject({ status: 200, text: doc });
    expect(answered.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    expect((await get({ host: 'evil.example' })).status).toBe(403);
    expect((await get({ host, origin: 'https://evil.example' })).status).toBe(403);
  });
});
