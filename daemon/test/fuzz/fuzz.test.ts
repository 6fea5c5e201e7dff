/**
 * The seeded slice of the fuzzer CI runs (the full run is `npm run fuzz -- --cases 100000`), plus proof that
 * the checks it relies on can fail.
 */
import { describe, expect, it } from 'vitest';
import { judge } from './http-property.js';
import { runFuzz } from './suite.js';

const SEED = 20261129;

describe('fuzzer (seeded slice)', () => {
  it(`holds every property for 1500 cases with seed ${SEED}`, { timeout: 60_000 }, async () => {
    const results = await runFuzz({ cases: 1500, seed: SEED });
    expect(results.map((p) => p.name)).toEqual(['http', 'tokens', 'sender', 'payloads', 'intercept']);
    expect(results.filter((p) => p.failure).map((p) => ({ [p.name]: p.failure }))).toEqual([]);
    // the token slice exercised both the control (a genuine live token stays active) and tampering
    expect(results.find((p) => p.name === 'tokens')?.detail).toMatch(/live intact×\d+.*/);
  });
});

describe('fuzz judge', () => {
  const ok = {
    status: 400,
    contentType: 'application/json',
    acao: null,
    body: '{"error":"invalid_request","error_description":"x"}',
    byParser: false,
    head: false,
  };
  it('accepts a clean refusal', () => expect(judge(ok, [])).toBeNull());
  it('flags a 5xx', () => expect(judge({ ...ok, status: 500 }, [])).toMatch(/answered 500/));
  it('flags an error body that is not {error, error_description}', () => {
    expect(judge({ ...ok, body: '{"error":"invalid_request"}' }, [])).toMatch(/not \{error, error_description\}/);
    expect(judge({ ...ok, body: 'Bad Request' }, [])).toMatch(/not JSON/);
  });
  it('flags a refusal that wrote state, or more than its refusal audit row', () => {
    expect(judge(ok, [{ tbl: 'grants', op: 'update', outcome: null }])).toMatch(/wrote/);
    expect(judge(ok, [{ tbl: 'audit', op: 'insert', outcome: 'ok' }])).toMatch(/other than refusals/);
    expect(
      judge(ok, [
        { tbl: 'audit', op: 'insert', outcome: 'refused' },
        { tbl: 'audit', op: 'insert', outcome: 'refused' },
      ]),
    ).toMatch(/2 audit rows/);
    expect(
      judge(ok, [
        { tbl: 'audit', op: 'insert', outcome: 'refused' },
        { tbl: 'admin_credentials', op: 'bookkeeping', outcome: null },
      ]),
    ).toBeNull();
  });
  it('lets a refusal expire what was overdue (as the sweep would), one expiry audit row per expiry, no more', () => {
    const expiry = { tbl: 'grants', op: 'expiry', outcome: null };
    const row = { tbl: 'audit', op: 'insert', outcome: 'ok', type: 'request.expired' };
    expect(judge({ ...ok, status: 409 }, [expiry, row])).toBeNull();
    expect(judge({ ...ok, status: 409 }, [row])).toMatch(/1 expiry audit rows for 0 expiries/);
    expect(judge({ ...ok, status: 409 }, [expiry, { ...row, type: 'grant.approved' }])).toMatch(/other than refusals/);
  });
  it('flags a CORS grant', () => expect(judge({ ...ok, status: 200, acao: '*' }, [])).toMatch(/Access-Control-Allow-Origin/));
});
