/**
 * Audit export to an OpenTelemetry collector (OTLP/HTTP JSON logs). The collector here is a real loopback HTTP
 * server that checks every request strictly against the OTLP JSON shape and answers 400 to anything else.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { auditExportPolicy, type AuditExportPolicy } from '#shared/policy.js';
import { AuditExportConfigError, auditExporter, type AuditExporter } from '../src/audit/export.js';
import type { AuditRow } from '../src/store/audit.repo.js';
import { version } from '../src/version.js';
import { MAIL, PERSON, auth, startTestDaemon, type TestDaemon } from './harness.js';

// ---------------------------------------------------------------------------------------------------------
// The OTLP JSON shape (opentelemetry-proto: ExportLogsServiceRequest, JSON Protobuf encoding), kept strict
// (unknown or misspelt fields fail) so the test catches any drift from what docs/audit-export.md promises.

const int64String = z.string().regex(/^(0|[1-9]\d*)$/);
const anyValue = z.union([z.strictObject({ stringValue: z.string() }), z.strictObject({ intValue: int64String })]);
const keyValue = z.strictObject({ key: z.string().min(1), value: anyValue });
const attributeList = z.array(keyValue).refine((kvs) => new Set(kvs.map((kv) => kv.key)).size === kvs.length, 'attribute keys must be unique');

type KeyValue = z.infer<typeof keyValue>;
const attr = (kvs: KeyValue[], key: string) => kvs.find((kv) => kv.key === key)?.value;
const str = (kvs: KeyValue[], key: string) => {
  const v = attr(kvs, key);
  return v && 'stringValue' in v ? v.stringValue : undefined;
};

const logRecord = z
  .strictObject({
    timeUnixNano: int64String,
    observedTimeUnixNano: int64String,
    severityNumber: z.union([z.literal(9), z.literal(13)]),
    severityText: z.enum(['INFO', 'WARN']),
    eventName: z.string().min(1),
    body: z.strictObject({ stringValue: z.string().min(1) }),
    attributes: attributeList,
  })
  .superRefine((r, ctx) => {
    const id = attr(r.attributes, 'mandate.audit.id');
    if (!id || !('intValue' in id)) ctx.addIssue({ code: 'custom', message: 'mandate.audit.id must be an intValue' });
    for (const key of ['mandate.event.type', 'mandate.outcome', 'enduser.id', 'mandate.hash', 'mandate.prev_hash']) {
      if (str(r.attributes, key) === undefined) ctx.addIssue({ code: 'custom', message: `${key} must be a stringValue` });
    }
    const outcome = str(r.attributes, 'mandate.outcome');
    const severity = outcome === 'refused' ? [13, 'WARN'] : [9, 'INFO'];
    if (r.severityNumber !== severity[0] || r.severityText !== severity[1]) ctx.addIssue({ code: 'custom', message: 'severity does not match outcome' });
    const type = str(r.attributes, 'mandate.event.type');
    if (r.body.stringValue !== type || r.eventName !== type) ctx.addIssue({ code: 'custom', message: 'body and eventName must be the event type' });
  });
type LogRecord = z.infer<typeof logRecord>;

const exportLogsServiceRequest = z.strictObject({
  resourceLogs: z
    .array(
      z.strictObject({
        resource: z.strictObject({
          attributes: attributeList.refine(
            (kvs) => ['service.name', 'service.version', 'host.name'].every((k) => str(kvs, k)),
            'resource needs service.name, service.version and host.name',
          ),
        }),
        scopeLogs: z
          .array(
            z.strictObject({
              scope: z.strictObject({ name: z.literal('mandate.audit'), version: z.string().min(1) }),
              logRecords: z.array(logRecord).min(1), // senders should not send empty envelopes
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});
type ExportRequest = z.infer<typeof exportLogsServiceRequest>;

// ---------------------------------------------------------------------------------------------------------
// A loopback collector. Its log outlives it, so a test can stop it and start another on the same port.

type Scripted = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

interface CollectorLog {
  /** mandate.audit.id of every record the collector accepted, in arrival order. */
  ids: number[];
  records: LogRecord[];
  accepted: { headers: IncomingHttpHeaders; body: ExportRequest }[];
  /** First and last audit id of every request that reached the collector, accepted or not. */
  attempts: { first: number; last: number; count: number; answer: number | 'hang' }[];
  /** Why a request failed validation (must stay empty). */
  rejected: string[];
  /** Answers to give instead of accepting, first come first served. */
  script: Scripted[];
  hanging: number;
}

const newLog = (): CollectorLog => ({ ids: [], records: [], accepted: [], attempts: [], rejected: [], script: [], hanging: 0 });

interface Collector {
  port: number;
  url: string;
  log: CollectorLog;
  stop(): Promise<void>;
}

const collectors: Collector[] = [];
afterEach(async () => {
  while (collectors.length) await collectors.pop()!.stop();
});

async function startCollector(log: CollectorLog = newLog(), port = 0): Promise<Collector> {
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://collector').pathname !== '/v1/logs') return answer(res, 404, { message: 'not found' });
      if (req.headers['content-type'] !== 'application/json') {
        log.rejected.push(`content-type ${req.headers['content-type']}`);
        return answer(res, 415, { message: 'content-type must be application/json' });
      }
      let parsed: ExportRequest;
      try {
        parsed = exportLogsServiceRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        log.rejected.push((e as Error).message);
        return answer(res, 400, { code: 3, message: (e as Error).message });
      }
      const records = parsed.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords));
      const ids = records.map((r) => {
        const v = attr(r.attributes, 'mandate.audit.id');
        return v && 'intValue' in v ? Number(v.intValue) : NaN;
      });
      const scripted = log.script.shift();
      log.attempts.push({ first: ids[0]!, last: ids.at(-1)!, count: ids.length, answer: scripted === 'hang' ? 'hang' : (scripted?.status ?? 200) });
      if (scripted === 'hang') {
        log.hanging++;
        return; // never answers; stop() destroys the socket
      }
      if (scripted) {
        res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers }).end(scripted.body ?? '');
        if (scripted.status < 200 || scripted.status > 299) return;
      } else {
        answer(res, 200, {}); // ExportLogsServiceResponse, partial_success unset
      }
      log.ids.push(...ids);
      log.records.push(...records);
      log.accepted.push({ headers: req.headers, body: parsed });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  let stopped = false;
  const c: Collector = {
    port: bound,
    url: `http://127.0.0.1:${bound}/v1/logs`,
    log,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  collectors.push(c);
  return c;
}

// ---------------------------------------------------------------------------------------------------------

const auditRows = (d: TestDaemon) => d.ctx.db.prepare<[], AuditRow>('SELECT * FROM audit ORDER BY id').all();
const auditIds = (d: TestDaemon) => auditRows(d).map((r) => r.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const policy = (url: string, o: Partial<AuditExportPolicy> = {}): AuditExportPolicy =>
  auditExportPolicy.parse({ otlpEndpoint: url, intervalSeconds: 3600, ...o });

/** Real traffic through the admin and OAuth HTTP API: registration, a CIBA grant, a refused request, a revocation. */
async function activity(d: TestDaemon): Promise<{ clientId: string; grantId: string }> {
  const agent = await d.registerAgent();
  d.clock.advance(7);
  const { grantId } = await d.approvedToken(agent, { approve: { scope: ['mail.read'] } });
  d.clock.advance(11);
  const refused = await d.form('/bc-authorize', { scope: 'admin.everything', resource: MAIL }, auth(agent));
  expect(refused.status).toBe(400);
  d.clock.advance(13);
  expect((await d.admin('POST', `/grants/${grantId}/revoke`, {})).status).toBe(200);
  return { clientId: agent.client_id, grantId };
}

/** An exporter of our own on a daemon's database (the daemon itself exports nothing). */
function exporterFor(d: TestDaemon, config: AuditExportPolicy, extra: { timeoutMs?: number } = {}) {
  const logs: string[] = [];
  const ex: AuditExporter = auditExporter(d.ctx.db, config, {
    log: (m) => logs.push(m),
    serviceName: 'mandate',
    hostName: 'test-host',
    person: PERSON,
    clock: d.clock,
    ...extra,
  });
  return { ex, logs };
}

const values = (kvs: KeyValue[]) => Object.fromEntries(kvs.map((kv) => [kv.key, 'stringValue' in kv.value ? kv.value.stringValue : kv.value.intValue]));

describe('audit export (OTLP/HTTP JSON logs)', () => {
  it('delivers every event in order, with the documented attributes, resource, scope and headers', async () => {
    const c = await startCollector();
    const d = await startTestDaemon({ auditExport: policy(c.url, { batchSize: 3, headers: { 'x-api-key': 'collector-key-1' } }) });
    const { clientId, grantId } = await activity(d);
    await d.auditExporter!.flush();

    const rows = auditRows(d);
    expect(rows.length).toBeGreaterThan(6);
    expect(c.log.ids).toEqual(rows.map((r) => r.id)); // all of them, in order, each once
    expect(c.log.rejected).toEqual([]);
    expect(d.auditExporter!.status()).toMatchObject({ lastExportedId: rows.at(-1)!.id, pending: 0, lastError: null, consecutiveFailures: 0 });

    for (const req of c.log.accepted) {
      expect(req.headers['x-api-key']).toBe('collector-key-1');
      expect(req.body.resourceLogs).toHaveLength(1);
      const [rl] = req.body.resourceLogs;
      expect(values(rl!.resource.attributes)).toEqual({ 'service.name': 'mandate', 'service.version': version(), 'host.name': hostname() });
      expect(rl!.scopeLogs).toHaveLength(1);
      expect(rl!.scopeLogs[0]!.scope).toEqual({ name: 'mandate.audit', version: version() });
      expect(rl!.scopeLogs[0]!.logRecords.length).toBeLessThanOrEqual(3); // batchSize
    }

    // every attribute, per row; null columns (and empty scopes) are left out
    rows.forEach((row, i) => {
      const record = c.log.records[i]!;
      const expected: Record<string, string> = {
        'mandate.audit.id': String(row.id),
        'mandate.event.type': row.type,
        'mandate.outcome': row.outcome,
        'enduser.id': row.person ?? PERSON,
        'mandate.hash': row.hash,
        'mandate.prev_hash': row.prev_hash,
      };
      const optional = {
        'mandate.decision': row.decision,
        'mandate.agent': row.agent,
        'mandate.resource': row.resource,
        'mandate.scopes': row.scopes || null,
        'mandate.grant_id': row.grant_id,
        'mandate.detail': row.detail,
      };
      for (const [k, v] of Object.entries(optional)) if (v !== null) expected[k] = v;
      expect(values(record.attributes), `row ${row.id}`).toEqual(expected);
      expect(record.body).toEqual({ stringValue: row.type });
    });

    const byType = (type: string) => c.log.records.find((r) => str(r.attributes, 'mandate.event.type') === type)!;
    const approved = byType('grant.approved');
    expect(values(approved.attributes)).toMatchObject({
      'mandate.agent': clientId,
      'mandate.resource': MAIL,
      'mandate.scopes': 'mail.read',
      'mandate.grant_id': grantId,
      'enduser.id': PERSON,
    });
    expect(approved).toMatchObject({ severityNumber: 9, severityText: 'INFO' });
    const refused = byType('request.refused');
    expect(refused).toMatchObject({ severityNumber: 13, severityText: 'WARN' });
    expect(values(refused.attributes)['mandate.outcome']).toBe('refused');
    const first = c.log.records[0]!; // the start-up pairing code: no agent, resource or grant
    expect(Object.keys(values(first.attributes))).not.toContain('mandate.agent');
    const detail = c.log.records.find((r) => str(r.attributes, 'mandate.detail') !== undefined);
    expect(detail && JSON.parse(str(detail.attributes, 'mandate.detail')!)).toBeTypeOf('object');
  });

  it('loses nothing while the collector is down and delivers it all, in order, once it is back on the same port', async () => {
    const first = await startCollector();
    const port = first.port;
    await first.stop();
    const d = await startTestDaemon({ auditExport: policy(`http://127.0.0.1:${port}/v1/logs`, { batchSize: 4 }) });

    await activity(d);
    expect(await d.auditExporter!.flush()).toBe(0);
    const down = d.auditExporter!.status();
    expect(down.lastExportedId).toBe(0);
    expect(down.pending).toBe(auditIds(d).length);
    expect(down.lastError).toMatch(/ECONNREFUSED/);
    expect(down.consecutiveFailures).toBeGreaterThanOrEqual(1);
    await activity(d); // more while it is still down

    const back = await startCollector(newLog(), port);
    const n = auditIds(d).length;
    expect(await d.auditExporter!.flush()).toBe(n);
    expect(back.log.ids).toEqual(range(1, n)); // every id, in order, none missing, no duplicates
    expect(back.log.attempts.every((a) => a.count <= 4)).toBe(true);
    expect(back.log.rejected).toEqual([]);
    expect(d.auditExporter!.status()).toMatchObject({ lastExportedId: n, pending: 0, lastError: null, consecutiveFailures: 0 });
  });

  it('keeps undelivered events across daemon restarts and delivers them when the collector returns', async () => {
    const probe = await startCollector();
    const port = probe.port;
    await probe.stop();
    const config = policy(`http://127.0.0.1:${port}/v1/logs`, { batchSize: 5 });

    const d = await startTestDaemon({ auditExport: config });
    await activity(d);
    expect(await d.auditExporter!.flush()).toBe(0);
    const beforeRestart = auditIds(d);

    const d2 = await d.restart(); // still down
    expect(await d2.auditExporter!.flush()).toBe(0);
    expect(d2.auditExporter!.status()).toMatchObject({ lastExportedId: 0, pending: auditIds(d2).length });
    expect(d2.auditExporter!.status().lastError).toMatch(/ECONNREFUSED/); // persisted in the database
    await activity(d2);
    expect(auditIds(d2).slice(0, beforeRestart.length)).toEqual(beforeRestart);
    await d2.close();

    // the collector comes back; the next start-up's first attempt (no flush) sends everything
    const back = await startCollector(newLog(), port);
    const d3 = await d2.restart();
    const all = auditIds(d3);
    await vi.waitFor(() => expect(back.log.ids).toEqual(all), { timeout: 5000, interval: 20 });
    expect(all).toEqual(range(1, all.length));
    expect(back.log.rejected).toEqual([]);
  });

  it('retries a 500 and a 429, honouring Retry-After, then delivers the same batch once', async () => {
    const c = await startCollector();
    c.log.script.push({ status: 500, body: '{"message":"internal"}' }, { status: 429, headers: { 'retry-after': '7' }, body: '{"message":"slow down"}' });
    const d = await startTestDaemon();
    await activity(d);
    const { ex } = exporterFor(d, policy(c.url, { intervalSeconds: 1 }));

    expect(await ex.flush()).toBe(0);
    let s = ex.status();
    expect(s).toMatchObject({ lastExportedId: 0, consecutiveFailures: 1, lastAttemptAt: d.clock() });
    expect(s.lastError).toMatch(/answered 500/);
    expect(s.nextDelayMs).toBeGreaterThanOrEqual(1600); // first backoff: 2 x interval, less up to 20% jitter
    expect(s.nextDelayMs).toBeLessThanOrEqual(2000);

    expect(await ex.flush()).toBe(0);
    s = ex.status();
    expect(s.lastError).toMatch(/answered 429/);
    expect(s.nextDelayMs).toBe(7000); // Retry-After, not the backoff

    const ids = auditIds(d);
    expect(await ex.flush()).toBe(ids.length);
    expect(c.log.ids).toEqual(ids);
    expect(c.log.attempts.map((a) => [a.first, a.answer])).toEqual([
      [1, 500],
      [1, 429],
      [1, 200],
    ]);
    expect(ex.status()).toMatchObject({ lastExportedId: ids.at(-1), lastError: null, consecutiveFailures: 0, lastSuccessAt: d.clock(), nextDelayMs: 1000 });
    await ex.stop();
  });

  it('retries on its own timer after a 503 with Retry-After', async () => {
    const c = await startCollector();
    c.log.script.push({ status: 503, headers: { 'retry-after': '1' } });
    const d = await startTestDaemon();
    await activity(d);
    const { ex } = exporterFor(d, policy(c.url, { intervalSeconds: 1 }));
    ex.start();
    const ids = auditIds(d);
    await vi.waitFor(() => expect(c.log.ids).toEqual(ids), { timeout: 5000, interval: 20 });
    expect(c.log.attempts.map((a) => a.answer)).toEqual([503, 200]);
    expect(ex.status().running).toBe(true);
    await ex.stop();
    expect(ex.status().running).toBe(false);
  });

  it('keeps retrying a 4xx, says it needs attention, and never logs or stores header values', async () => {
    const secret = 'tok-9f8e7d6c5b4a';
    const c = await startCollector();
    c.log.script.push({ status: 401, body: `{"message":"token ${secret} is not valid"}` });
    const d = await startTestDaemon();
    await activity(d);
    const { ex, logs } = exporterFor(d, policy(`${c.url}?tenant=acme`, { headers: { authorization: `Bearer ${secret}` } }));

    expect(await ex.flush()).toBe(0);
    const s = ex.status();
    expect(s.lastError).toMatch(/answered 401/);
    expect(s.lastError).toMatch(/refuses these events/);
    expect(s.endpoint).toBe(c.url); // no query string
    expect(logs.join('\n')).toMatch(/answered 401 Unauthorized .*token \[redacted\] is not valid.*refuses these events/);
    const stored = d.ctx.db.prepare<[], { last_error: string }>('SELECT last_error FROM audit_export').get()!.last_error;
    for (const text of [...logs, s.lastError!, stored]) expect(text).not.toContain(secret);

    expect(await ex.flush()).toBe(auditIds(d).length); // not dropped: delivered once the collector accepts
    expect(c.log.ids).toEqual(auditIds(d));
    expect(c.log.accepted[0]!.headers.authorization).toBe(`Bearer ${secret}`); // sent as configured
    expect(logs.at(-1)).toMatch(/again after 1 failed attempt/);
  });

  it('times out a collector that does not answer, and stop() aborts a request in flight without losing it', async () => {
    const c = await startCollector();
    c.log.script.push('hang');
    const d = await startTestDaemon();
    await activity(d);
    const ids = auditIds(d);

    const { ex: quick } = exporterFor(d, policy(c.url), { timeoutMs: 100 });
    expect(await quick.flush()).toBe(0);
    expect(quick.status().lastError).toMatch(/no answer within 0.1 s/);
    await quick.stop();

    c.log.script.push('hang');
    const { ex: slow } = exporterFor(d, policy(c.url), { timeoutMs: 600_000 });
    const pending = slow.flush();
    await vi.waitFor(() => expect(c.log.hanging).toBe(2), { timeout: 5000, interval: 10 });
    await slow.stop(); // resolves only if the request is aborted (its timeout is 10 minutes)
    expect(await pending).toBe(0);
    expect(slow.status()).toMatchObject({ running: false, lastExportedId: 0, pending: ids.length });
    expect(await slow.flush()).toBe(0); // stopped for good

    const { ex: again } = exporterFor(d, policy(c.url));
    expect(await again.flush()).toBe(ids.length);
    expect(c.log.ids).toEqual(ids);
  });

  it('sends OTLP JSON exactly: every record passes the schema and timeUnixNano is ts x 1e9 as a decimal string', async () => {
    const c = await startCollector();
    const d = await startTestDaemon({ auditExport: policy(c.url) });
    await activity(d);
    d.clock.advance(1_000_003);
    await activity(d);
    await d.auditExporter!.flush();
    const rows = auditRows(d);
    expect(c.log.rejected).toEqual([]);
    expect(c.log.records).toHaveLength(rows.length);
    rows.forEach((row, i) => {
      const r = c.log.records[i]!;
      expect(logRecord.safeParse(r).success).toBe(true);
      const nanos = (BigInt(row.ts) * 1_000_000_000n).toString(); // exact integer arithmetic, decimal digits, no exponent
      expect(r.timeUnixNano).toBe(nanos);
      expect(r.timeUnixNano).toBe(`${row.ts}000000000`);
      expect(r.observedTimeUnixNano).toBe(nanos);
    });
    expect(new Set(rows.map((r) => r.ts)).size).toBeGreaterThan(3);
  });

  it('sends nothing when there is nothing new, halves the batch on 413, and does not resend a partial success', async () => {
    const c = await startCollector();
    const d = await startTestDaemon();
    await activity(d);
    const { ex, logs } = exporterFor(d, policy(c.url, { batchSize: 4 }));

    c.log.script.push({ status: 413 });
    expect(await ex.flush()).toBe(0);
    expect(ex.status().batchSize).toBe(2);
    const n = auditIds(d).length;
    expect(await ex.flush()).toBe(n);
    expect(c.log.attempts.slice(1).every((a) => a.count <= 2)).toBe(true);
    expect(c.log.ids).toEqual(range(1, n));

    const requests = c.log.attempts.length;
    expect(await ex.flush()).toBe(0); // caught up: no empty envelope
    expect(c.log.attempts).toHaveLength(requests);

    await d.admin('POST', '/agents', { name: 'Other', kind: 'agent', scopes: ['mail.read'], resources: [MAIL] });
    c.log.script.push({ status: 200, body: JSON.stringify({ partialSuccess: { rejectedLogRecords: '1', errorMessage: 'attribute too long' } }) });
    expect(await ex.flush()).toBe(1);
    expect(ex.status()).toMatchObject({ lastExportedId: n + 1, pending: 0, lastError: null });
    expect(logs.join('\n')).toMatch(/dropped 1 of them: attribute too long/);
    expect(await ex.flush()).toBe(0);
  });

  it('does not follow a redirect, so the events and the headers never reach another server', async () => {
    const elsewhere = await startCollector();
    const c = await startCollector();
    c.log.script.push({ status: 307, headers: { location: elsewhere.url } });
    const d = await startTestDaemon();
    await activity(d);
    const { ex } = exporterFor(d, policy(c.url, { headers: { 'x-api-key': 'key-0123456789' } }));
    expect(await ex.flush()).toBe(0);
    expect(ex.status().lastError).toMatch(/redirect/);
    expect(elsewhere.log.attempts).toEqual([]);
    expect(await ex.flush()).toBe(auditIds(d).length);
    expect(c.log.ids).toEqual(auditIds(d));
  });

  it('refuses endpoints that are not http(s) or carry credentials, and bad headers, without echoing values', async () => {
    const d = await startTestDaemon();
    const make = (o: Partial<AuditExportPolicy>) => () => exporterFor(d, { ...policy('http://127.0.0.1:4318/v1/logs'), ...o });
    expect(make({ otlpEndpoint: 'ftp://collector.example/v1/logs' })).toThrow(AuditExportConfigError);
    expect(make({ otlpEndpoint: 'file:///tmp/logs' })).toThrow(/http: or https:/);
    expect(make({ otlpEndpoint: 'https://user:hunter22@collector.example/v1/logs' })).toThrow(/user name or password/);
    expect(make({ headers: { 'x-key': 'line\nbreak-secret' } })).toThrow(/auditExport.headers\["x-key"\]/);
    try {
      make({ headers: { 'x-key': 'line\nbreak-secret' } })();
    } catch (e) {
      expect((e as Error).message).not.toContain('break-secret');
    }
    expect(make({ otlpEndpoint: 'https://collector.example:4318/v1/logs' })).not.toThrow();
  });
});
