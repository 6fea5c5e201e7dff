import { describe, expect, it } from 'vitest';
import { MAIL, startTestDaemon } from '../harness.js';
import { exchange, expectError } from './support.js';

/** jose's own messages (codes like ERR_JWS_…, "signature verification failed") stay in the daemon log. */
const JOSE_INTERNALS = /ERR_J|signature verification failed|claim timestamp check failed|JWS|JWKS/;

describe('error_description never carries a library message; error_detail is logged, not sent', () => {
  it('a subject_token with a broken signature → 400 invalid_grant in plain words, jose detail only in the log', async () => {
    const log: string[] = [];
    const d = await startTestDaemon({ log: (m) => log.push(m) });
    const agent = await d.registerAgent({ resources: [MAIL] });
    const { token } = await d.approvedToken(agent);
    const [head, payload, sig] = token.split('.');
    const broken = `${head}.${payload}.${sig!.startsWith('A') ? `B${sig!.slice(1)}` : `A${sig!.slice(1)}`}`;
    const body = await expectError(await exchange(d, agent, broken), 400, 'invalid_grant');
    expect(body.error_description).toBe('subject_token is not active: token is not signed by this daemon');
    expect(body.error_description).not.toMatch(JOSE_INTERNALS);
    expect(log.some((l) => l.includes('error_detail: ERR_JWS_SIGNATURE_VERIFICATION_FAILED'))).toBe(true);
  });
});
