import { canonicalJson } from '#shared/canonical-json.js';

/**
 * `canonicalJson(detail)`, the text an audit row stores and MACs, without the generic walk's arrays and closures
 * for the common case of a flat detail (every member a string, number, boolean or null): keys sorted, members
 * written in place. Anything nested goes through canonicalJson itself, so the text is the same byte for byte
 * (daemon/test/audit-detail-json.test.ts pins it). Appending a row is the ingest's hot path (bench/reporting.ts).
 */
export function detailJson(detail: unknown): string {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return canonicalJson(detail);
  const obj = detail as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    const t = typeof v;
    const text = v === null || t === 'string' || t === 'number' || t === 'boolean' ? JSON.stringify(v) : canonicalJson(v);
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${text}`;
  }
  return `${out}}`;
}
