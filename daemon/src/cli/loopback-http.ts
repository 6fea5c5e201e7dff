import { request } from 'node:http';
import type { AdminAnswer, FetchLike } from '#shared/admin-client.js';
import { isLoopbackHttp } from '#shared/loopback.js';

/**
 * The CLI's transport to the daemon: one node:http request per call, on its own connection, closed once the
 * answer is read.
 *
 * Not `fetch`: in a process that makes one call and exits, Node's fetch first loads undici (about 50 ms here)
 * and then keeps its pooled keep-alive socket, which held every `mandate` command open about 200 ms after the
 * daemon had answered (bench/README.md, "CLI commands"). node:http is already in Node's start-up snapshot, and
 * `agent: false` leaves nothing behind.
 *
 * Loopback only, like everything the CLI talks to; any other host is refused before a socket is opened.
 */
export const loopbackFetch: FetchLike = (url, init) =>
  new Promise<AdminAnswer>((resolve, reject) => {
    const target = new URL(url);
    if (!isLoopbackHttp(target)) {
      reject(new TypeError(`the CLI only calls the daemon on loopback, not ${target.origin}`));
      return;
    }
    const req = request(target, { method: init.method, headers: init.headers, agent: false, signal: init.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status, ok: status >= 200 && status < 300, text: async () => text });
      });
    });
    req.on('error', reject);
    req.end(init.body); // Node declares its Content-Length
  });
