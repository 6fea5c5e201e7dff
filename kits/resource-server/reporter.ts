import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { MAX_TOOL_CALLS_PER_BATCH, TOOL_CALLS_PATH, toolCallBatchResult, toolCallReport, type ToolCallReport } from '../../shared/src/resource-server.js';
import { basicAuthorization } from './verifier.js';

export interface ReporterOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Keep unsent reports in this file too (JSON lines), so a restart loses none. */
  file?: string;
  /** Wait this long to gather a batch (default 100 ms). */
  flushDelayMs?: number;
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
  /** Queues one decision (never arguments or results); returns its id. */
  record(d: ToolCallDecision): string;
  /** Sends everything queued, in order; resolves when the daemon has acknowledged it (or rejects). */
  flush(): Promise<void>;
  pending(): number;
  close(): Promise<void>;
}

/**
 * Reports tool-call decisions to the daemon: buffered in memory (and in `file` when given), sent in order,
 * batched, at least once. Each call has an id the daemon deduplicates on, so a re-send after a crash or a lost
 * answer is never counted twice.
 */
export function createReporter(o: ReporterOptions): Reporter {
  const issuer = o.issuer.replace(/\/$/, '');
  const fetchFn = o.fetch ?? fetch;
  const authorization = basicAuthorization(o.clientId, o.clientSecret);
  const now = o.now ?? (() => Math.floor(Date.now() / 1000));
  const queue: ToolCallReport[] = [];
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
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> | undefined;
  let closed = false;
  let backoff = 200;

  const persist = () => {
    if (!o.file) return;
    const tmp = `${o.file}.tmp`;
    writeFileSync(tmp, queue.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
    renameSync(tmp, o.file);
  };

  async function sendAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_TOOL_CALLS_PER_BATCH);
      const res = await fetchFn(`${issuer}${TOOL_CALLS_PATH}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ calls: batch }),
        signal: AbortSignal.timeout(5_000),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`the daemon refused the tool-call report (${res.status})`);
      }
      toolCallBatchResult.parse(await res.json());
      queue.splice(0, batch.length);
      persist();
    }
  }

  function schedule(delay: number): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().then(
        () => {
          backoff = 200;
        },
        () => {
          backoff = Math.min(backoff * 2, 10_000);
          schedule(backoff);
        },
      );
    }, delay);
    timer.unref();
  }

  function flush(): Promise<void> {
    sending ??= sendAll().finally(() => {
      sending = undefined;
    });
    return sending;
  }

  return {
    record(d) {
      const r: ToolCallReport = {
        id: `tc_${randomUUID()}`,
        tool: d.tool,
        outcome: d.outcome,
        grant_id: d.grantId,
        at: now(),
        ...(d.reason ? { reason: d.reason.slice(0, 500) } : {}),
      };
      queue.push(r);
      if (o.file) appendFileSync(o.file, `${JSON.stringify(r)}\n`, { mode: 0o600 });
      schedule(o.flushDelayMs ?? 100);
      return r.id;
    },
    flush,
    pending: () => queue.length,
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await sending?.catch(() => {});
    },
  };
}
