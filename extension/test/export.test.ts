import { describe, expect, it } from 'vitest';
import type { AuditEventView } from '#shared/admin-api.js';
import { toCsv, toJsonLines } from '../src/activity/export.js';

const event = (over: Partial<AuditEventView>): AuditEventView => ({
  id: 1,
  ts: 1_800_000_000,
  type: 'grant.approved',
  person: 'user:alice@host',
  agent: 'agt_1',
  resource: 'https://mail.example/',
  scopes: ['mail.read'],
  grant_id: 'grt_1',
  decision: 'approved',
  outcome: 'ok',
  detail: { via: 'cli' },
  hash: 'ab'.repeat(32),
  ...over,
});

describe('audit export', () => {
  it('writes CSV with a header, quoting commas, quotes and newlines', () => {
    const csv = toCsv([event({ resource: 'https://x.example/a,b', detail: { reason: 'said "no"\nthen left' } })]);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('id,ts,time,type,outcome,decision,person,agent,resource,scopes,grant_id,detail,hash');
    expect(row).toContain('"https://x.example/a,b"');
    expect(csv).toContain('"{""reason"":""said \\""no\\""\\nthen left""}"');
  });

  it('defuses spreadsheet formulas in fields', () => {
    const csv = toCsv([event({ agent: '=HYPERLINK("http://evil")', person: '+1', resource: '@x', type: '-2' })]);
    expect(csv).not.toMatch(/,=|,\+|,@|,-2/);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('writes one JSON object per line', () => {
    const lines = toJsonLines([event({ id: 1 }), event({ id: 2 })])
      .trimEnd()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as AuditEventView).id)).toEqual([1, 2]);
    expect(toJsonLines([])).toBe('');
  });
});
