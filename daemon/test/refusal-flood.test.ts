/**
 * A client cannot make the daemon write unlimited fsynced audit rows: its refusals of one kind are written up
 * to a token bucket's rate and the rest are counted into one `audit.refusals_aggregated` row per client+kind,
 * written periodically and at shutdown, so the count is never lost.
 */
import { describe, expect, it } from 'vitest';
import { REFUSAL_BURST } from '../src/audit/refusals.js';
import type { AuditRow } from '../src/store/audit.repo.js';
import { auditRows } from './audit-tamper-support.js';
import { startTestDaemon, type TestDaemon } from './harness.js';
import { introspect } from './conformance/support.js';

const FLOOD = 10_000;

async function flood(d: TestDaemon, client: { client_id: string; client_secret: string }, n: number, concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const res = await introspect(d, client, `garbage-${next}`);
        expect(res.status).toBe(200);
        await res.body?.cancel();
      }
    }),
  );
}

type Aggregate = { client: string; refused_type: string; count: number };
const aggregates = (rows: AuditRow[]) => rows.filter((r) => r.type === 'audit.refusals_aggregated').map((r) => JSON.parse(r.detail!) as Aggregate);
const introspectionRefusals = (rows: AuditRow[], clientId: string) =>
  rows.filter((r) => r.type === 'token.introspected_inactive' && (JSON.parse(r.detail!) as { caller: string }).caller === clientId);

describe('refusal flood', () => {
  it(`${FLOOD} garbage introspections from one client write a bounded number of rows whose counts add up to ${FLOOD}`, async () => {
    const d = await startTestDaemon();
    const rs = await d.registerAgent({ name: 'Mail API', kind: 'resource_server', resources: ['https://mail.example/'] });
    const rowsBefore = auditRows(d).length;
    await flood(d, rs, FLOOD);
    d.flushRefusals();

    const rows = auditRows(d);
    const written = introspectionRefusals(rows, rs.client_id).length;
    const counted = aggregates(rows).filter((a) => a.client === rs.client_id && a.refused_type === 'token.introspected_inactive');
    expect(rows.length - rowsBefore).toBeLessThanOrEqual(REFUSAL_BURST + 1);
    expect(written).toBe(REFUSAL_BURST); // the test clock does not move, so the bucket never refills
    expect(counted).toHaveLength(1);
    expect(written + counted[0]!.count).toBe(FLOOD);
  }, 120_000);

  it('counts per client: another client still gets its own rows, and counts left at shutdown are written', async () => {
    const d = await startTestDaemon();
    const a = await d.registerAgent({ name: 'A', kind: 'resource_server', resources: ['https://mail.example/'] });
    const b = await d.registerAgent({ name: 'B', kind: 'resource_server', resources: ['https://mail.example/'] });
    await flood(d, a, REFUSAL_BURST + 50);
    await flood(d, b, 3);
    await d.close(); // no flush before: the shutdown writes the counts
    const rows = auditRows(d);
    expect(introspectionRefusals(rows, b.client_id)).toHaveLength(3);
    expect(introspectionRefusals(rows, a.client_id)).toHaveLength(REFUSAL_BURST);
    expect(aggregates(rows)).toEqual([expect.objectContaining({ client: a.client_id, refused_type: 'token.introspected_inactive', count: 50 })]);
  });

  it('the allowance comes back with time', async () => {
    const d = await startTestDaemon();
    const a = await d.registerAgent({ name: 'A', kind: 'resource_server', resources: ['https://mail.example/'] });
    await flood(d, a, REFUSAL_BURST + 1);
    d.clock.advance(60);
    await flood(d, a, 1);
    d.flushRefusals();
    const rows = auditRows(d);
    expect(introspectionRefusals(rows, a.client_id)).toHaveLength(REFUSAL_BURST + 1);
    expect(aggregates(rows).map((x) => x.count)).toEqual([1]);
  });
});
