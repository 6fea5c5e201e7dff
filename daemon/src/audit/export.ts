/**
 * Sends the audit trail to an organisation's OpenTelemetry collector as OTLP/HTTP JSON logs.
 *
 * The local `audit` table is the queue. A one-row cursor (`audit_export.last_exported_id`) records the last
 * row the collector accepted. Each attempt sends the next `batchSize` rows after it, in id order. The cursor
 * only moves after a 2xx answer. So nothing is lost when the collector is down, slow, rejecting requests, or
 * when the daemon restarts. Delivery is in order and **at least once**: when an answer is lost (timeout,
 * shutdown mid-request, crash between the 2xx and the cursor write), the batch is sent again. Receivers
 * de-duplicate on (`host.name`, `enduser.id`, `mandate.audit.id`); `mandate.hash` also identifies the row.
 *
 * Wire format: docs/audit-export.md. Protocol: opentelemetry-proto docs/specification.md (OTLP/HTTP, JSON
 * Protobuf encoding: lowerCamelCase field names, 64-bit integers as decimal strings, enums as integers).
 *
 * It runs only from timers, one attempt at a time, and never holds up request handling. Unlike the OTLP
 * spec, a 4xx other than 408/429 is also retried: an audit event must not be dropped because the collector
 * is misconfigured. Those failures are logged as needing attention.
 *
 * Split: otlp.ts (encoding), export-config.ts (endpoint and headers), store/audit-export.repo.ts (the cursor's SQL);
 * this module is the scheduler: one attempt at a time, HTTP, backoff and Retry-After.
 */
import type { Database } from 'better-sqlite3';
import type { AuditExportPolicy } from '#shared/policy.js';
import { systemClock, type Clock } from '../clock.js';
import { auditExportRepo, type ExportState } from '../store/audit-export.repo.js';
import { auditRepo, type AuditRow } from '../store/audit.repo.js';
import { version } from '../version.js';
import { buildHeaders, displayEndpoint, isLoopback, parseEndpoint, redactor } from './export-config.js';
import { AUDIT_EXPORT_SCOPE, exportResponse, str, toLogRecord, type ExportLogsServiceRequest } from './otlp.js';

export { AuditExportConfigError } from './export-config.js';

/** Longest wait for the collector's answer, headers and body together. */
export const EXPORT_TIMEOUT_MS = 10_000;
/** Retry delays double from 2x the interval and stop growing at this multiple of it. */
const MAX_BACKOFF_FACTOR = 10;
/** A collector's Retry-After is honoured within these bounds (the floor stops "Retry-After: 0" from causing a busy loop). */
const MIN_RETRY_AFTER_MS = 1000;
const MAX_RETRY_AFTER_MS = 3600_000;
/** How much of a collector's answer is read (error text, partial success); the rest is discarded. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface AuditExporterOptions {
  log: (message: string) => void;
  fetch?: typeof fetch;
  /** `service.name` resource attribute, e.g. "mandate". */
  serviceName: string;
  /** `host.name` resource attribute. */
  hostName: string;
  /** The daemon's person: `enduser.id` for rows that do not name one. */
  person: string;
  /** For the `last_*_at` columns (unix seconds). Timers always use real time. */
  clock?: Clock;
  /** Overrides EXPORT_TIMEOUT_MS (tests). */
  timeoutMs?: number;
  /** Called when the trail was found rewound behind the cursor (the daemon records it as an audit row). */
  onRewind?: (rewind: { from: number; to: number; reason: string }) => void;
}

export interface AuditExportStatus {
  /** The collector's URL without its query string. */
  endpoint: string;
  /** Between start() and stop(). */
  running: boolean;
  /** Highest audit id the collector accepted (0: none yet). */
  lastExportedId: number;
  /** Audit rows waiting to be exported. */
  pending: number;
  lastSuccessAt: number | null;
  lastAttemptAt: number | null;
  /** Why the latest attempt failed; null after a success. */
  lastError: string | null;
  consecutiveFailures: number;
  /** The wait chosen after the latest attempt: interval when idle, backoff or Retry-After after a failure, 0 with more queued. */
  nextDelayMs: number | null;
  /** Rows per request now (the policy's batchSize, halved after each 413 Payload Too Large). */
  batchSize: number;
}

export interface AuditExporter {
  /** Starts the export timer; the first attempt runs at once. */
  start(): void;
  /** Stops the timer and aborts a request in flight (its rows stay queued). Then the database may be closed. */
  stop(): Promise<void>;
  /** Exports now, batch after batch, until the rows that existed at the call are sent or an attempt fails. Returns the rows the collector accepted. */
  flush(): Promise<number>;
  status(): AuditExportStatus;
}

type Attempt =
  | { kind: 'idle' }
  | { kind: 'sent'; count: number; lastId: number; full: boolean }
  | { kind: 'failed'; retryAfterMs: number | undefined }
  | { kind: 'stopped' };

/** Retry-After as delta-seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, MIN_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS) : undefined;
}

/** Reads at most `max` bytes of the body, then releases the connection. */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function describeFetchError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${e.message}: ${code ?? cause.message}`;
  }
  return e.message;
}

export function auditExporter(db: Database, config: AuditExportPolicy, opts: AuditExporterOptions): AuditExporter {
  const endpoint = parseEndpoint(config.otlpEndpoint);
  const headers = buildHeaders(config.headers);
  const redact = redactor(config.headers);
  const where = displayEndpoint(endpoint);
  const doFetch = opts.fetch ?? fetch;
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.timeoutMs ?? EXPORT_TIMEOUT_MS;
  const intervalMs = config.intervalSeconds * 1000;
  const log = (m: string) => opts.log(redact(`audit export: ${m}`));
  const resource = {
    attributes: [str('service.name', opts.serviceName), str('service.version', version()), str('host.name', opts.hostName)],
  };
  const scope = { name: AUDIT_EXPORT_SCOPE, version: version() };

  const cursor = auditExportRepo(db);
  const trail = auditRepo(db);

  /**
   * The row at the cursor must still be the one the collector accepted. When it is gone (the trail was
   * truncated) or holds another row (ids reused after a truncation), the cursor cannot say which rows the
   * collector has: export again from the start (at least once; receivers de-duplicate on mandate.hash).
   */
  function checkRewound(state: ExportState): number {
    const from = state.last_exported_id;
    if (from === 0) return 0;
    const at = trail.hashAt(from);
    const stored = state.last_exported_hash;
    if (at !== undefined && (stored === null || at === stored)) return from;
    const reason =
      at === undefined
        ? `the trail ends before the export cursor (row ${from} is gone)`
        : `row ${from} is no longer the row the collector accepted (hash ${stored!.slice(0, 16)}…, now ${at.slice(0, 16)}…)`;
    cursor.restart(from);
    log(`${reason}: the trail was rewound; exporting it again from the start`);
    opts.onRewind?.({ from, to: 0, reason });
    return 0;
  }

  let batchSize = config.batchSize;
  let running = false;
  let stopped = false;
  let failures = 0;
  let lastLoggedError: string | null = null;
  let nextDelayMs: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: AbortController | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  /** One attempt at a time: flush() and the timer queue behind each other. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  }

  function backoffMs(): number {
    const base = Math.min(intervalMs * 2 ** failures, intervalMs * MAX_BACKOFF_FACTOR);
    return Math.round(base * (0.8 + 0.2 * Math.random())); // jitter, so many daemons do not retry in step
  }

  function fail(raw: string, retryAfter: number | undefined): Attempt {
    const message = redact(raw); // it may quote the collector's answer, which may echo a header back
    failures++;
    try {
      cursor.recordFailure(message, clock());
    } catch (e) {
      log(`could not record the failure: ${(e as Error).message}`);
    }
    if (message !== lastLoggedError) {
      log(`${message} (attempt ${failures}; the events stay queued and are retried)`);
      lastLoggedError = message;
    }
    return { kind: 'failed', retryAfterMs: retryAfter };
  }

  async function attempt(): Promise<Attempt> {
    if (stopped) return { kind: 'stopped' };
    let from: number;
    let rows: AuditRow[];
    try {
      const state = cursor.read();
      from = state ? checkRewound(state) : 0;
      rows = trail.after(from, batchSize);
    } catch (e) {
      return fail(`could not read the audit trail: ${(e as Error).message}`, undefined);
    }
    const last = rows.at(-1);
    if (last === undefined) return { kind: 'idle' }; // the spec asks senders not to send empty envelopes
    const payload: ExportLogsServiceRequest = {
      resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: rows.map((r) => toLogRecord(r, opts.person)) }] }],
    };
    const range = `events ${rows[0]!.id}..${last.id}`;

    const abort = new AbortController();
    const timeout = AbortSignal.timeout(timeoutMs);
    inFlight = abort;
    let res: Response;
    let text: string;
    try {
      res = await doFetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.any([abort.signal, timeout]),
        redirect: 'error', // never replay the body and the configured headers to wherever a redirect points
      });
      text = await readCapped(res, MAX_RESPONSE_BYTES);
    } catch (e) {
      if (stopped) return { kind: 'stopped' }; // aborted by stop(): not a failure, the rows stay queued
      const why = timeout.aborted ? `no answer within ${timeoutMs / 1000} s` : describeFetchError(e);
      return fail(`sending ${range} to ${where} failed: ${why}`, undefined);
    } finally {
      inFlight = undefined;
    }
    if (stopped) return { kind: 'stopped' };

    if (res.ok) {
      try {
        cursor.advance(from, last.id, last.hash, clock());
      } catch (e) {
        return fail(`the collector accepted ${range} but the cursor could not be saved: ${(e as Error).message}`, undefined);
      }
      if (failures > 0) log(`delivering to ${where} again after ${failures} failed attempt${failures === 1 ? '' : 's'}`);
      failures = 0;
      lastLoggedError = null;
      reportPartialSuccess(res, text, range);
      return { kind: 'sent', count: rows.length, lastId: last.id, full: rows.length === batchSize };
    }

    const status = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    const detail = snippet(text);
    let message = `${where} answered ${status} to ${range}${detail ? `: ${detail}` : ''}`;
    if (res.status === 413 && batchSize > 1) {
      batchSize = Math.max(1, Math.floor(batchSize / 2));
      message += ` (sending ${batchSize} events per request from now on)`;
    } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      message += " — the collector refuses these events; no later event is exported until this is fixed (check otlpEndpoint, headers and the collector's logs)";
    }
    return fail(message, retryAfterMs(res.headers.get('retry-after')));
  }

  function reportPartialSuccess(res: Response, text: string, range: string): void {
    if (!(res.headers.get('content-type') ?? '').includes('json') || text === '') return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = exportResponse.safeParse(json);
    const partial = parsed.success ? parsed.data.partialSuccess : undefined;
    if (!partial) return;
    const rejected = Number(partial.rejectedLogRecords ?? 0);
    const why = partial.errorMessage ? `: ${snippet(partial.errorMessage)}` : '';
    if (rejected > 0) log(`the collector accepted ${range} but dropped ${rejected} of them${why} (not resent, as the OTLP spec requires)`);
    else if (why) log(`the collector accepted ${range} with a warning${why}`);
  }

  function delayAfter(a: Attempt): number {
    switch (a.kind) {
      case 'sent':
        return a.full ? 0 : intervalMs;
      case 'failed':
        return a.retryAfterMs ?? backoffMs();
      default:
        return intervalMs;
    }
  }

  function schedule(ms: number): void {
    clearTimeout(timer);
    timer = undefined;
    if (!running || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      exclusive(run).catch((e: unknown) => log(`unexpected error: ${(e as Error).message}`));
    }, ms);
    timer.unref();
  }

  /** One attempt, then the timer set for the next. */
  async function run(): Promise<Attempt> {
    const a = await attempt();
    if (a.kind !== 'stopped') {
      nextDelayMs = delayAfter(a);
      schedule(nextDelayMs);
    }
    return a;
  }

  return {
    start() {
      if (running || stopped) return;
      running = true;
      if (endpoint.protocol === 'http:' && !isLoopback(endpoint.hostname)) {
        log(`${where} is plain http: events and the configured headers cross the network unencrypted`);
      }
      schedule(0);
    },

    async stop() {
      stopped = true;
      running = false;
      clearTimeout(timer);
      timer = undefined;
      inFlight?.abort();
      await chain;
    },

    flush() {
      return exclusive(async () => {
        const target = trail.maxId();
        let sent = 0;
        for (;;) {
          const a = await run();
          if (a.kind !== 'sent') break;
          sent += a.count;
          if (!a.full || a.lastId >= target) break;
        }
        return sent;
      });
    },

    status() {
      const state = cursor.read();
      const lastExportedId = state?.last_exported_id ?? 0;
      return {
        endpoint: where,
        running,
        lastExportedId,
        pending: trail.countAfter(lastExportedId),
        lastSuccessAt: state?.last_success_at ?? null,
        lastAttemptAt: state?.last_attempt_at ?? null,
        lastError: state?.last_error ?? null,
        consecutiveFailures: failures,
        nextDelayMs,
        batchSize,
      };
    },
  };
}
