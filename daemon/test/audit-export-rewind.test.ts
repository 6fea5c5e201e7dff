/**
 * The export cursor notices a rewound trail: after a truncation, new rows reuse ids at or behind the cursor
 * and must still reach the collector (docs/audit-export.md, "A rewound trail").
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { auditExportPolicy } from '#shared/policy.js';
import { auditRows, tamper } from './audit-tamper-support.js';
import { startTestDaemon } from './harness.js';

interface Received {
  id: number;
  hash: string;
  type: string;
}

/** A loopback OTLP collector that accepts everything and keeps (id, hash, type) of each record. */
async function collector() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string; value: { stringValue?: string; intValue?: string } }[] }[] }[] }[];
      };
      for (const rl of body.resourceLogs)
        for (const sl of rl.scopeLogs)
          for (const r of sl.logRecords) {
            const get = (k: string) => r.attributes.find((a) => a.key === k)?.value;
            received.push({
              id: Number(get('mandate.audit.id')?.intValue),
              hash: get('mandate.hash')?.stringValue ?? '',
              type: get('mandate.event.type')?.stringValue ?? '',
            });
          }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`, received };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

describe('audit export after a rewound trail', () => {
  it('re-exports from the rewind point when the trail was truncated behind the cursor while stopped', async () => {
    const c = await collector();
    const d = await startTestDaemon({ auditExport: auditExportPolicy.parse({ otlpEndpoint: c.url, intervalSeconds: 3600 }) });
    for (const name of ['A', 'B', 'C']) await d.registerAgent({ name });
    await d.auditExporter!.flush();
    const cursor = d.auditExporter!.status().lastExportedId;
    expect(cursor).toBe(auditRows(d).at(-1)!.id);
    await d.close();
    const before = c.received.length; // the restarted exporter's first attempt runs at once

    const keep = cursor - 2;
    tamper(d, `DELETE FROM audit WHERE id > ${keep}`);
    const d2 = await d.restart();
    expect(d2.auditTamper).toMatch(/truncated/);
    await d2.registerAgent({ name: 'Second' });
    await d2.registerAgent({ name: 'Third' });
    await d2.auditExporter!.flush();
    const now = auditRows(d2).filter((r) => r.id > keep);
    // every row after the rewind point reached the collector, including those that reuse ids at or behind the old cursor
    expect(c.received.slice(before).map((r) => [r.id, r.hash])).toEqual(now.map((r) => [r.id, r.hash]));
    expect(now[0]).toMatchObject({ id: keep + 1, type: 'audit.tamper_detected' });
    expect(now.filter((r) => r.id <= cursor).length, 'new rows reuse ids up to the old cursor').toBe(cursor - keep);
  });

  it('notices a row at the cursor replaced under a running daemon, records it, and exports the trail again', async () => {
    const c = await collector();
    const d = await startTestDaemon({ auditExport: auditExportPolicy.parse({ otlpEndpoint: c.url, intervalSeconds: 3600 }) });
    await d.registerAgent();
    await d.auditExporter!.flush();
    const cursor = d.auditExporter!.status().lastExportedId;
    tamper(d, `UPDATE audit SET hash = '${'f'.repeat(64)}' WHERE id = ${cursor}`);
    const before = c.received.length;
    await d.auditExporter!.flush();
    const again = c.received.slice(before);
    expect(again[0]!.id).toBe(1);
    expect(again.map((r) => r.type)).toContain('audit.export_rewound');
    const rewound = auditRows(d).find((r) => r.type === 'audit.export_rewound')!;
    expect(JSON.parse(rewound.detail!)).toMatchObject({
      from: cursor,
      to: 0,
      reason: expect.stringContaining(`row ${cursor} is no longer the row the collector accepted`),
    });
  });
});
