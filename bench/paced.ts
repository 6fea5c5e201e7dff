/**
 * An open-loop load at a fixed rate, for the latency row of issue 14 ("p99 ≤ 5 ms at 500 req/s").
 *
 * Request i is due at start + i / rate, whether or not earlier answers have come back (wrk2's model), and its
 * latency runs from when it was due to when its answer ended. A stall of the server therefore counts against every
 * request that should have gone out during it, and a late timer in this process counts too: the figures are an
 * upper bound on the server's own latency, never flattered by the load generator waiting (no coordinated omission).
 *
 * autocannon's `overallRate` is not this. autocannon 9 lets each connection send its share of the rate back to back
 * and then wait for a one-second timer to reset its counter (lib/httpClient.js), so "500 req/s" over 10 connections
 * is a burst of 500 requests at the top of every second, 10 at a time, then nothing; and it corrects for coordinated
 * omission with an expected interval of `Math.ceil(1 / rate)` = 1 ms (lib/run.js), which back-fills samples for
 * every answer slower than 1 ms. bench/README.md has the measurements.
 */
import { Agent, request } from 'node:http';
import { quantile } from './stats.js';

export interface PacedLoad {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Requests per second, spread evenly. */
  rate: number;
  seconds: number;
  /** Keep-alive connections at most; a request due while all are busy waits for one (and its wait counts). */
  connections?: number;
  /** How long after the last request was due the load waits for the answers still missing before it fails (10). */
  graceSeconds?: number;
}

export interface PacedFigures {
  /** Requests sent: rate × seconds, rounded down. */
  sent: number;
  /** Answers per second over the whole load, from the first due time to the last answer. */
  rps: number;
  /** Milliseconds from due to answered. */
  p50: number;
  p99: number;
  max: number;
  /** Milliseconds from due to issued: this process's own lateness, included in the above. */
  lateP99: number;
}

/**
 * Runs `load` and resolves with its figures; rejects on any refused connection, any answer that is not 2xx, or
 * answers still missing `graceSeconds` after the last request was due.
 */
export async function paced(load: PacedLoad): Promise<PacedFigures> {
  const total = Math.floor(load.rate * load.seconds);
  if (!(total > 0)) throw new Error(`paced: rate × seconds must give at least one request (rate ${load.rate}, ${load.seconds} s)`);
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections ?? 10 });
  const url = new URL(load.url);
  const body = load.body === undefined ? undefined : Buffer.from(load.body);
  const headers = { ...load.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const latency: number[] = new Array(total);
  const late: number[] = new Array(total);
  const interval = 1000 / load.rate;
  const start = performance.now();
  let next = 0;
  let done = 0;

  try {
    await new Promise<void>((resolve, reject) => {
      // the first failure rejects; a promise settles once, so later ones change nothing
      const fail = (e: Error) => {
        clearInterval(timer);
        clearTimeout(deadline);
        reject(e);
      };
      const send = (i: number, due: number) => {
        const req = request(url, { method: load.method ?? 'GET', headers, agent }, (res) => {
          const status = res.statusCode ?? 0;
          res.resume();
          res.on('end', () => {
            if (status < 200 || status > 299) return fail(new Error(`${load.url}: answered ${status} to request ${i + 1} of ${total}`));
            latency[i] = performance.now() - due;
            if (++done === total) {
              clearTimeout(deadline);
              resolve();
            }
          });
          res.on('error', fail);
        });
        req.on('error', (e) => fail(new Error(`${load.url}: request ${i + 1} of ${total} failed: ${e.message}`)));
        late[i] = performance.now() - due;
        req.end(body);
      };
      // every millisecond (or as soon after as the event loop allows), send what has come due since the last tick
      const tick = () => {
        const now = performance.now();
        while (next < total && start + next * interval <= now) {
          send(next, start + next * interval);
          next++;
        }
        if (next === total) clearInterval(timer);
      };
      const timer = setInterval(tick, 1);
      const grace = load.graceSeconds ?? 10;
      const deadline = setTimeout(
        () => fail(new Error(`${load.url}: ${total - done} of ${total} requests unanswered ${grace} s after the last was due`)),
        (load.seconds + grace) * 1000,
      );
      tick();
    });
  } finally {
    agent.destroy();
  }
  const elapsed = (performance.now() - start) / 1000;
  return {
    sent: total,
    rps: total / elapsed,
    p50: quantile(latency, 0.5),
    p99: quantile(latency, 0.99),
    max: quantile(latency, 1),
    lateP99: quantile(late, 0.99),
  };
}
