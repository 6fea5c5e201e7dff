/** detailJson (the audit row's stored detail) is canonicalJson byte for byte, on flat and nested details alike. */
import { expect, it } from 'vitest';
import { canonicalJson } from '#shared/canonical-json.js';
import { detailJson } from '../src/audit/detail-json.js';

it.each([
  [{ tool: 'list_notes', call_id: 'tc_a_0', reported_by: 'rs_1', at: 1_700_000_000, reason: null }],
  [{ z: 'é "quoted" \\ \n\u2028', a: -0.5, m: true, b: false, u: undefined, n: Number.NaN }],
  [{ nested: { b: [1, { y: 2, x: undefined }], a: null }, arr: ['x', undefined], top: 'v' }],
  [{}],
  [null],
  ['plain'],
  [[3, { b: 1, a: 2 }]],
])('detailJson(%o) is canonicalJson', (detail) => {
  expect(detailJson(detail)).toBe(canonicalJson(detail));
});
