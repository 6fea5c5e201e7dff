/** The audit chain's fast row serialisation must be byte-for-byte the canonical JSON it replaced (old trails verify). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '#shared/canonical-json.js';
import { type AuditRowBody, bodyJson, type ChainHead, headJson } from '../src/audit/chain.js';

const text = fc.option(fc.string({ unit: 'grapheme' }), { nil: null });
const body: fc.Arbitrary<AuditRowBody> = fc.record({
  id: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  ts: fc.integer({ min: 0, max: 2 ** 40 }),
  type: fc.string(),
  person: text,
  agent: text,
  resource: text,
  scopes: fc.string(),
  grant_id: text,
  decision: text,
  outcome: fc.constantFrom('ok' as const, 'refused' as const),
  detail: fc.option(fc.json(), { nil: null }),
});

describe('audit row serialisation', () => {
  it('bodyJson(row) === canonicalJson(row) for any row, including unicode, quotes and control characters', () => {
    fc.assert(
      fc.property(body, (b) => {
        expect(bodyJson(b)).toBe(canonicalJson(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads only the body fields: a stored row with its links serialises like its body', () => {
    const b: AuditRowBody = {
      id: 1,
      ts: 2,
      type: 't',
      person: null,
      agent: 'a"\u2028',
      resource: null,
      scopes: '',
      grant_id: null,
      decision: null,
      outcome: 'ok',
      detail: '{"x":1}',
    };
    expect(bodyJson({ ...b, prev_hash: 'p', hash: 'h' } as AuditRowBody)).toBe(canonicalJson(b));
  });

  it('headJson(head) === canonicalJson of the four head fields, whatever else the record carries', () => {
    const head: fc.Arbitrary<ChainHead> = fc.record({
      last_id: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      last_mac: fc.string({ unit: 'grapheme' }),
      count: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      legacy_rows: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    });
    fc.assert(
      fc.property(head, fc.string(), (h, mac) => {
        expect(headJson({ ...h, mac } as ChainHead)).toBe(canonicalJson(h));
      }),
      { numRuns: 2000 },
    );
  });
});
