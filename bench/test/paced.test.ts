/**
 * bench/paced.ts against real loopback servers: requests go out on their schedule and not before it, a stall
 * counts against every request due during it, and a refusal stops the load.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { paced } from '../paced.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

it('sends rate × seconds requests spread over the whole window, each with its body', async () => {
  const arrivals: number[] = [];
  const bodies = new Set<string>();
  const url = await serve((req, res) => {
    arrivals.push(performance.now());
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.add(`${req.method} ${req.headers['content-type']} ${body}`);
      res.end('{}');
    });
  });
  const rate = 100;
  const before = performance.now();
  const figures = await paced({ url, method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'token=abc', rate, seconds: 0.5 });
  expect(figures.sent).toBe(50);
  expect(arrivals).toHaveLength(50);
  expect([...bodies]).toEqual(['POST text/plain token=abc']);
  // request i is never sent before start + i × 10 ms: at most 11 can arrive in the first 100 ms (autocannon's
  // overallRate sends all of a second's requests back to back), and the last no sooner than 490 ms in
  expect(arrivals.filter((t) => t < before + 100).length).toBeLessThanOrEqual(11);
  expect(arrivals.at(-1)!).toBeGreaterThanOrEqual(before + (49 * 1000) / rate);
  expect(figures.p50).toBeGreaterThan(0);
  expect(figures.p99).toBeGreaterThanOrEqual(figures.p50);
  expect(figures.max).toBeGreaterThanOrEqual(figures.p99);
});

it('counts a stall against every request due during it (no coordinated omission)', async () => {
  let first = true;
  const url = await serve((_req, res) => {
    if (first) {
      first = false;
      setTimeout(() => res.end('late'), 300);
    } else res.end('ok');
  });
  // one connection: the requests due while the first is held wait behind it, and their wait is latency
  const figures = await paced({ url, rate: 100, seconds: 1, connections: 1 });
  expect(figures.sent).toBe(100);
  // requests 0..29 were due within the 300 ms stall, request i answered no sooner than 300 - 10 i ms after it was due
  expect(figures.max).toBeGreaterThanOrEqual(300);
  expect(figures.p99).toBeGreaterThanOrEqual(200);
});

it('rejects on an answer that is not 2xx, saying which request', async () => {
  let n = 0;
  const url = await serve((_req, res) => {
    res.statusCode = ++n === 3 ? 503 : 200;
    res.end();
  });
  await expect(paced({ url, rate: 50, seconds: 0.2 })).rejects.toThrow(/answered 503 to request \d+ of 10/);
});

it('rejects when nothing listens', async () => {
  const url = await serve((_req, res) => res.end());
  await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
  await expect(paced({ url, rate: 50, seconds: 0.1 })).rejects.toThrow(/request 1 of 5 failed: .*ECONNREFUSED/);
});

it('rejects when answers are still missing after the grace period, saying how many', async () => {
  let n = 0;
  const url = await serve((_req, res) => {
    if (++n !== 2) res.end(); // the second request is never answered
  });
  await expect(paced({ url, rate: 50, seconds: 0.1, graceSeconds: 0.3 })).rejects.toThrow(/1 of 5 requests unanswered 0.3 s after the last was due/);
});
