import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { MAX_TOOL_CALLS_PER_BATCH, TOOL_CALLS_PATH, type ToolCallReport, toolCallBatchResult, toolCallReport } from '#shared/resource-server.js';
import { MandateTokenError } from './errors.js';
import { jsonPoster } from './post-json.js';
import { basicAuthorization } from './verifier.js';

export interface ReporterOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Keep unsent reports in this file too (JSON lines), so a restart loses none. */
  file?: string;
  /** Longest a decision waits to be sent with others (default 100 ms); a full batch goes at once. */
  flushDelayMs?: number;
  /**
   * Most decisions held unacknowledged (default 50 000). Reaching it refuses new tool calls (`unavailable`,
   * 503 + Retry-After in the middleware) until the queue drains to `resumeAt`: a decision is never dropped.
   */
  maxQueued?: number;
  /** Low-water mark: calls are accepted again once at most this many wait (default 80 % of `maxQueued`). */
  resumeAt?: number;
  /** Told when back-pressure starts (`blocked: true`, the queue is full) and when it ends. */
  onBackPressure?: (e: { blocked: boolean; pending: number }) => void;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface ToolCallDecision {
  tool: string;
  outcome: 'allowed' | 'refused';
  reason?: string;
  grantId: string;
}

export interface Reporter {
  /**
   * Queues one decision (never arguments or results); returns its id. Constant time: nothing is sent here.
   * Throws `MandateTokenError('unavailable')` while the queue is full (see `maxQueued`): refuse the call then.
   */
  record(d: ToolCallDecision): string;
  /** Throws `MandateTokenError('unavailable')` while the queue is full; a middleware calls it before any work. */
  admit(): void;
  /** False from the moment the queue fills until it has drained to `resumeAt`. */
  accepting(): boolean;
  /** Sends everything queued, in order; resolves when the daemon has acknowledged it (or rejects). */
  flush(): Promise<void>;
  pending(): number;
  close(): Promise<void>;
}

/** The daemon takes request bodies up to 64 KiB; a batch stays under this many bytes of JSON. */
export const MAX_BATCH_BYTES = 60_000;
export const DEFAULT_MAX_QUEUED = 50_000;
const PREFIX = '{"calls":[';

/**
 * Reports tool-call decisions to the daemon: buffered in memory (and in `file` when given), sent in order,
 * batched, at least once. Each call has an id the daemon deduplicates on, so a re-send after a crash or a lost
 * answer is never counted twice.
 *
 * `record()` only appends to the queue (no promise, no timer per call, no JSON unless `file` is set): the one
 * timer of the reporter sends what gathered after `flushDelayMs`, or on the next turn of the event loop once a
 * full batch is waiting. One batch is in flight at a time, so the daemon receives the calls in order.
 */
export function createReporter(o: ReporterOptions): Reporter {
  const maxQueued = o.maxQueued ?? DEFAULT_MAX_QUEUED;
  if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) throw new TypeError('createReporter: maxQueued must be a positive integer');
  const resumeAt = o.resumeAt ?? Math.floor(maxQueued * 0.8);
  if (!Number.isSafeInteger(resumeAt) || resumeAt < 0 || resumeAt >= maxQueued) {
    throw new TypeError('createReporter: resumeAt must be an integer from 0 to maxQueued - 1');
  }
  const issuer = o.issuer.replace(/\/$/, '');
  const authorization = basicAuthorization(o.clientId, o.clientSecret);
  const endpoint = `${issuer}${TOOL_CALLS_PATH}`;
  // node:http keep-alive unless a fetch was given (tests inject faults through it)
  const poster = o.fetch ? undefined : jsonPoster(new URL(endpoint), { authorization });
  const now = o.now ?? (() => Math.floor(Date.now() / 1000));
  const delay = o.flushDelayMs ?? 100;
  // ids: a random prefix per reporter and a counter, unique across restarts without a UUID per call
  const idPrefix = `tc_${randomBytes(12).toString('base64url')}_`;
  let seq = 0;
  /** Decision number `base + i` is queue[i]; `sent` of them are acknowledged, `total` recorded (or loaded). */
  let queue: ToolCallReport[] = [];
  let base = 0;
  let sent = 0;
  if (o.file && existsSync(o.file)) {
    for (const line of readFileSync(o.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const r = toolCallReport.safeParse(JSON.parse(line));
        if (r.success) queue.push(r.data);
      } catch {
        // a torn last line (crash mid-write) is skipped; everything before it is kept
      }
    }
  }
  let total = queue.length;
  /** Back-pressure: set when the queue reaches maxQueued, cleared once acknowledgements bring it to resumeAt. */
  let blocked = false;
  let journal = o.file ? openSync(o.file, 'a', 0o600) : undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerIsSoon = false;
  let sending: Promise<void> | undefined;
  let closed = false;
  let backoff = 200;

  /** Rewrites the journal with what is still unsent (after an acknowledged batch). */
  const compactJournal = () => {
    if (!o.file || journal === undefined) return;
    const tmp = `${o.file}.tmp`;
    let text = '';
    for (let i = sent - base; i < queue.length; i++) text += `${JSON.stringify(queue[i])}\n`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, o.file);
    closeSync(journal);
    journal = openSync(o.file, 'a', 0o600);
  };

  /** The next batch up to decision `end`: at most MAX_TOOL_CALLS_PER_BATCH calls and MAX_BATCH_BYTES of JSON. */
  function nextBatch(end: number): { body: string; count: number } {
    const limit = Math.min(MAX_TOOL_CALLS_PER_BATCH, end - sent);
    const from = sent - base;
    let body = PREFIX;
    let bytes = PREFIX.length;
    let count = 0;
    while (count < limit) {
      const json = JSON.stringify(queue[from + count]);
      const size = Buffer.byteLength(json);
      if (count > 0 && bytes + size + 3 > MAX_BATCH_BYTES) break;
      body += count > 0 ? `,${json}` : json;
      bytes += size + 1;
      count++;
    }
    return { body: `${body}]}`, count };
  }

  /** One POST of a batch; resolves with the daemon's answer when it is a 200. */
  async function post(body: string): Promise<unknown> {
    if (poster) {
      const res = await poster.post(body, 5_000);
      if (res.status !== 200) throw new Error(`the daemon refused the tool-call report (${res.status})`);
      return res.json;
    }
    const res = await (o.fetch ?? fetch)(endpoint, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`the daemon refused the tool-call report (${res.status})`);
    }
    return res.json();
  }

  function setBlocked(b: boolean): void {
    blocked = b;
    o.onBackPressure?.({ blocked: b, pending: total - sent });
  }

  /** The refusal while the queue is full; Retry-After is the wait before the next send attempt. */
  function queueFull(): MandateTokenError {
    const e = new MandateTokenError('unavailable', 'tool calls cannot be recorded right now (the report queue is full); try again');
    e.retryAfter = Math.max(1, Math.ceil((sending ? backoff : delay) / 1000));
    return e;
  }

  async function sendOne(end: number): Promise<void> {
    const { body, count } = nextBatch(end);
    toolCallBatchResult.parse(await post(body));
    sent += count;
    if (blocked && total - sent <= resumeAt) setBlocked(false);
    if (sent === total) {
      queue = [];
      base = sent;
    } else if (sent - base > 1024 && (sent - base) * 2 > queue.length) {
      queue = queue.slice(sent - base);
      base = sent;
    }
    compactJournal();
  }

  /**
   * Sends, one batch in flight at a time, every decision before number `end`. When it is done the next timer is
   * armed for what arrived meanwhile; when it fails it is retried with backoff (and the caller sees the error).
   */
  function drain(end: number): Promise<void> {
    if (sending) return sending;
    const p = (async () => {
      while (sent < end) await sendOne(end);
    })();
    sending = p;
    p.then(
      () => {
        sending = undefined;
        backoff = 200;
        if (total - sent >= MAX_TOOL_CALLS_PER_BATCH) arm(0);
        else if (total > sent) arm(delay);
      },
      () => {
        sending = undefined;
        backoff = Math.min(backoff * 2, 10_000);
        arm(backoff);
      },
    );
    return p;
  }

  async function flush(): Promise<void> {
    const end = total;
    while (sent < end) await (sending ?? drain(end));
  }

  function arm(ms: number): void {
    if (closed || (timer && (timerIsSoon || ms >= delay))) return;
    clearTimeout(timer);
    timerIsSoon = ms < delay;
    timer = setTimeout(tick, ms);
    timer.unref();
  }

  /** The reporter's one timer: sends what is queued (a drain in flight re-arms it when done). */
  function tick(): void {
    timer = undefined;
    if (!sending) void drain(total);
  }
  if (total > 0) arm(delay);
  // a journal holding more than the bound (written by a run with a larger one) is all kept, and refuses until drained
  if (total - sent >= maxQueued) setBlocked(true);

  return {
    record(d) {
      if (blocked) throw queueFull();
      const id = idPrefix + (seq++).toString(36);
      const r: ToolCallReport =
        d.reason === undefined || d.reason === ''
          ? { id, tool: d.tool.slice(0, 200) || '(none)', outcome: d.outcome, grant_id: d.grantId, at: now() }
          : { id, tool: d.tool.slice(0, 200) || '(none)', outcome: d.outcome, grant_id: d.grantId, at: now(), reason: d.reason.slice(0, 500) };
      queue.push(r);
      total++;
      if (journal !== undefined) writeSync(journal, `${JSON.stringify(r)}\n`);
      if (sending === undefined) {
        const full = total - sent >= MAX_TOOL_CALLS_PER_BATCH;
        if (timer === undefined || (full && !timerIsSoon)) arm(full ? 0 : delay);
      }
      if (total - sent >= maxQueued) setBlocked(true);
      return id;
    },
    admit() {
      if (blocked) throw queueFull();
    },
    accepting: () => !blocked,
    flush,
    pending: () => total - sent,
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await sending?.catch(() => {});
      if (journal !== undefined) closeSync(journal);
      journal = undefined;
      poster?.close();
    },
  };
}
