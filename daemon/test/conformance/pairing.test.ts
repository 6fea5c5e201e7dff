/**
 * Must-reject: pairing with a wrong, used or expired one-time code, and online guessing of codes.
 * Security checklist items 4 and 5.
 */
import { adminPath } from '#shared/admin-contract.js';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { IDENTITY_PROOF_TYP, identityResponse, pairResponse, pairingCodeResponse } from '#shared/admin-api.js';
import { startTestDaemon, type TestDaemon } from '../harness.js';
import { EXTENSION_ORIGIN, pairExtension, proofKey } from '../extension-client.js';
import { auditEvents, expectError, post, titled } from './support.js';

const { jwk } = await proofKey();

/** A pairing request as the extension sends it (its Origin, its proof key); `body` fields replace the defaults. */
const pair = (d: TestDaemon, body: Record<string, unknown> | unknown[], headers: Record<string, string> = {}) =>
  post(d, adminPath('pair'), JSON.stringify(Array.isArray(body) ? body : { jwk, ...body }), {
    'content-type': 'application/json',
    origin: EXTENSION_ORIGIN,
    ...headers,
  });

async function credentialCount(d: TestDaemon): Promise<number> {
  const res = await d.admin('GET', '/credentials');
  return ((await res.json()) as { credentials: unknown[] }).credentials.length;
}

/** A well-formed code that is not the one the daemon issued. */
function wrongCode(real: string): string {
  const flip = real[0] === 'A' ? 'B' : 'A';
  return flip + real.slice(1);
}

describe('pairing codes', () => {
  it('a wrong code → 400 invalid_grant, no credential, a refused audit row', async () => {
    const d = await startTestDaemon();
    const before = await credentialCount(d);
    await expectError(await pair(d, { code: wrongCode(d.pairingCode.code) }), 400, 'invalid_grant');
    expect(await credentialCount(d)).toBe(before);
    expect((await auditEvents(d, { type: 'admin.pairing_failed' })).map((e) => e.outcome)).toEqual(['refused']);
  });

  it('a code works once: the second use → 400 invalid_grant', async () => {
    const d = await startTestDaemon();
    const first = await pair(d, { code: d.pairingCode.code });
    expect(first.status).toBe(200);
    expect(pairResponse.parse(await first.json()).credential).toMatch(/^mpc_/);
    const before = await credentialCount(d);
    await expectError(await pair(d, { code: d.pairingCode.code }), 400, 'invalid_grant');
    expect(await credentialCount(d)).toBe(before);
  });

  it('a code issued through POST /admin/pairing-codes also works only once', async () => {
    const d = await startTestDaemon();
    const issued = await d.admin('POST', '/pairing-codes', {});
    expect(issued.status).toBe(200);
    const { code } = pairingCodeResponse.parse(await issued.json());
    expect((await pair(d, { code: code.toLowerCase().replace('-', ' ') })).status).toBe(200);
    await expectError(await pair(d, { code }), 400, 'invalid_grant');
  });

  it('an expired code (past its 600 s lifetime) → 400 invalid_grant', async () => {
    const d = await startTestDaemon();
    d.clock.advance(600);
    await expectError(await pair(d, { code: d.pairingCode.code }), 400, 'invalid_grant');
  });

  it('after 5 wrong codes within a minute → 429 temporarily_unavailable with Retry-After, even for the right code', async () => {
    const d = await startTestDaemon();
    const bad = wrongCode(d.pairingCode.code);
    for (let i = 0; i < 5; i++) await expectError(await pair(d, { code: bad }), 400, 'invalid_grant');
    const res = await pair(d, { code: d.pairingCode.code });
    const retryAfter = Number(res.headers.get('retry-after'));
    await expectError(res, 429, 'temporarily_unavailable');
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The refused attempt did not use the code up: once the window has passed, it still pairs.
    d.clock.advance(60);
    expect((await pair(d, { code: d.pairingCode.code })).status).toBe(200);
  });

  it.each(
    titled(
      [
        { name: 'no code', body: {} },
        { name: 'an empty code', body: { code: '' } },
        { name: 'a code that is not a string', body: { code: 12345678 } },
        { name: 'an over-long code', body: { code: 'A'.repeat(65) } },
        { name: 'an unknown field', body: { code: 'ABCD-EFGH', origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' } },
        { name: 'a JSON array', body: ['ABCD-EFGH'] },
      ],
      (r) => `${r.name} → 400 invalid_request, nothing paired`,
    ),
  )('%s', async (_title, { body }) => {
    const d = await startTestDaemon();
    const before = await credentialCount(d);
    await expectError(await pair(d, body), 400, 'invalid_request');
    expect(await credentialCount(d)).toBe(before);
  });

  it('a new pairing code needs the admin credential: POST /admin/pairing-codes without it → 401 invalid_token', async () => {
    const d = await startTestDaemon();
    await expectError(await post(d, adminPath('pairingCodes.create'), '{}', { 'content-type': 'application/json' }), 401, 'invalid_token');
  });
});

describe('pairing binds the extension: its Origin and its proof key', () => {
  it('pairing without an Origin (not from the extension) → 400 invalid_request, the code still works', async () => {
    const d = await startTestDaemon();
    const before = await credentialCount(d);
    await expectError(
      await post(d, adminPath('pair'), JSON.stringify({ code: d.pairingCode.code, jwk }), { 'content-type': 'application/json' }),
      400,
      'invalid_request',
    );
    expect(await credentialCount(d)).toBe(before);
    await pairExtension(d);
  });

  it.each(
    titled(
      [
        { name: 'no proof key (jwk)', body: { jwk: undefined } },
        { name: 'a jwk on another curve', body: { jwk: { ...jwk, crv: 'P-384' } } },
        { name: 'an RSA jwk', body: { jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } } },
        { name: 'a jwk with a short x', body: { jwk: { ...jwk, x: 'AAAA' } } },
      ],
      (r) => `${r.name} → 400 invalid_request, nothing paired`,
    ),
  )('%s', async (_title, { body }) => {
    const d = await startTestDaemon();
    const before = await credentialCount(d);
    await expectError(await pair(d, { code: d.pairingCode.code, ...body }), 400, 'invalid_request');
    expect(await credentialCount(d)).toBe(before);
  });

  it('300 concurrent guesses → at most 5 are evaluated (each attempt is counted before its body is read)', async () => {
    const d = await startTestDaemon();
    const bad = wrongCode(d.pairingCode.code);
    const statuses = (
      await Promise.all(
        Array.from({ length: 300 }, () =>
          pair(d, { code: bad }).then(async (r) => {
            await r.body?.cancel();
            return r.status;
          }),
        ),
      )
    ).sort();
    const evaluated = statuses.filter((s) => s === 400).length;
    expect(evaluated).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBe(300 - evaluated);
    expect((await auditEvents(d, { type: 'admin.pairing_failed' })).length).toBe(evaluated);
  });
});

describe('the daemon proves its identity with the key pinned at pairing', () => {
  const challenge = 'c'.repeat(43);
  const ask = (d: TestDaemon, body: unknown, headers: Record<string, string> = { origin: EXTENSION_ORIGIN }) =>
    post(d, adminPath('identity'), JSON.stringify(body), { 'content-type': 'application/json', ...headers });

  it('signs {challenge, origin, url} with the key returned at pairing, the same key after a restart', async () => {
    const d = await startTestDaemon();
    const ext = await pairExtension(d);
    const d2 = await d.restart();
    const res = await ask(d2, { challenge, url: d2.url });
    expect(res.status).toBe(200);
    const { proof } = identityResponse.parse(await res.json());
    const { payload, protectedHeader } = await compactVerify(proof, await importJWK(ext.daemon_jwk, 'ES256'));
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: IDENTITY_PROOF_TYP });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ challenge, origin: EXTENSION_ORIGIN, url: d2.url });
  });

  it.each(
    titled(
      [
        { name: 'no Origin', body: (d: TestDaemon) => ({ challenge, url: d.url }), headers: {} },
        { name: 'a url on another port (a relay from a squatter)', body: (d: TestDaemon) => ({ challenge, url: `http://127.0.0.1:${d.port + 1}` }) },
        { name: 'a url on another host', body: (d: TestDaemon) => ({ challenge, url: `http://evil.example:${d.port}` }) },
        { name: 'a url with a path', body: (d: TestDaemon) => ({ challenge, url: `${d.url}/admin` }) },
        { name: 'a short challenge', body: (d: TestDaemon) => ({ challenge: 'abc', url: d.url }) },
        { name: 'a challenge that is not base64url', body: (d: TestDaemon) => ({ challenge: '!'.repeat(43), url: d.url }) },
      ],
      (r) => `${r.name} → 400 invalid_request`,
    ),
  )('%s', async (_title, row) => {
    const d = await startTestDaemon();
    await expectError(await ask(d, row.body(d), row.headers), 400, 'invalid_request');
  });
});
