import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_TYPES, parseAuditDetail } from '../src/audit-events.js';

/** The `type` column of docs/protocol.md §6's table. */
function documentedTypes(): Set<string> {
  const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## 6. Audit events'), doc.indexOf('### The hash chain'));
  return new Set([...section.matchAll(/^\| `([a-z_]+\.[a-z_]+)` /gm)].map((m) => m[1]!));
}

describe('the audit catalog', () => {
  it('documents every type in docs/protocol.md §6, and documents no type the catalog lacks', () => {
    const documented = documentedTypes();
    expect([...AUDIT_TYPES].filter((t) => !documented.has(t))).toEqual([]);
    expect([...documented].filter((t) => !(AUDIT_TYPES as string[]).includes(t))).toEqual([]);
  });

  it('parses a detail by its type', () => {
    expect(parseAuditDetail('token.issued', { jti: 'j', exp: 1, via: 'ciba' })).toEqual({ type: 'token.issued', detail: { jti: 'j', exp: 1, via: 'ciba' } });
    const parsed = parseAuditDetail('grant.approved', { via: 'cli', error: 'invalid_scope', reason: 'r' });
    expect(parsed?.type === 'grant.approved' && 'error' in parsed.detail ? parsed.detail.error : undefined).toBe('invalid_scope');
  });

  it.each([
    ['an unknown type', 'token.minted', {}],
    ['a prototype member as type', 'constructor', {}],
    ['a missing member', 'token.issued', { jti: 'j', exp: 1 }],
    ['an extra member', 'client.removed', { via: 'cli', secret: 'x' }],
    ['a member of the wrong type', 'admin.pairing_code_created', { expires_at: '1' }],
    ['a value outside its enum', 'token.issued', { jti: 'j', exp: 1, via: 'password' }],
    ['no detail at all', 'grant.expired', null],
  ])('returns undefined for %s', (_name, type, detail) => {
    expect(parseAuditDetail(type, detail)).toBeUndefined();
  });
});
