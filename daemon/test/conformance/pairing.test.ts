/**
 * Must-reject: pairing with a wrong, used or expired one-time code, and online guessing of codes.
 * Security checklist items 4 and 5.
 */
import { describe, expect, it } from 'vitest';
import { pairResponse, pairingCodeResponse } from '../../../shared/src/admin-api.js';
import { startTestDaemon, type TestDaemon } from '../harness.js';
import { auditEvents, expectError, post, titled } from './support.js';

const pair = (d: TestDaemon, body: unknown, headers: Record<string, string> = {}) =>
  post(d, '/admin/pair', JSON.stringify(body), { 'content-type': 'application/json', ...headers });

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
    const { credential } = pairResponse.parse(await first.json());
    expect((await fetch(d.url + '/admin/session', { headers: { authorization: `Bearer ${credential}` } })).status).toBe(200);
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

  it.each(titled([
    { name: 'no code', body: {} },
    { name: 'an empty code', body: { code: '' } },
    { name: 'a code that is not a string', body: { code: 12345678 } },
    { name: 'an over-long code', body: { code: 'A'.repeat(65) } },
    { name: 'an unknown field', body: { code: 'ABCD-EFGH', origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' } },
    { name: 'a JSON array', body: ['ABCD-EFGH'] },
  ], (r) => `${r.name} → 400 invalid_request, nothing paired`))('%s', async (_title, { body }) => {
    const d = await startTestDaemon();
    const before = await credentialCount(d);
    await expectError(await pair(d, body), 400, 'invalid_request');
    expect(await credentialCount(d)).toBe(before);
  });

  it('a new pairing code needs the admin credential: POST /admin/pairing-codes without it → 401 invalid_token', async () => {
    const d = await startTestDaemon();
    await expectError(await post(d, '/admin/pairing-codes', '{}', { 'content-type': 'application/json' }), 401, 'invalid_token');
  });
});
