/**
 * http/guard.ts on its own, over both ways a request reaches the app: a real node:http server (the daemon's path,
 * where the guard sets headers on Node's response) and `app.request` (tests' path, where it adds them to the
 * answer). The daemon-wide must-rejects are in conformance/host-origin.test.ts and malformed-bodies.test.ts.
 */
import { Hono } from 'hono';
import { createServer, request as httpRequest } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readText } from '../src/http/body.js';
import { onError } from '../src/http/errors.js';
import { guarded } from '../src/http/guard.js';
import { requestListener } from '../src/http/node-listener.js';

/** Each `/record` request: `reading` when its handler starts, then its body's length or the error the read ended with. */
const recorded: string[] = [];

function appOn(port: () => number) {
  const app = new Hono()
    .post('/record', async (c) => {
      recorded.push('reading');
      try {
        recorded.push(`read ${(await readText(c)).length}`);
      } catch (e) {
        recorded.push(`error ${(e as Error).message}`);
      }
      return c.text('recorded');
    })
    .get('/plain', (c) => c.text('plain'))
    .get('/cached', (c) => c.text('cached', 200, { 'Cache-Control': 'max-age=5' }))
    .post('/echo', async (c) => c.text(String((await readText(c)).length)));
  app.onError(onError(() => {}));
  app.fetch = guarded(app.fetch, port);
  return app;
}

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

describe.each(['node:http', 'app.request'] as const)('over %s', (via) => {
  let port = 0;
  let close = () => {};
  const app = appOn(() => port);

  beforeAll(async () => {
    if (via === 'app.request') {
      port = 4321; // any: no socket, only the Host header has to name it
      return;
    }
    const server = createServer(requestListener(app.fetch, () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  });
  afterAll(() => close());

  async function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | string[] } = {}): Promise<Answer> {
    const headers = { host: `127.0.0.1:${port}`, ...opts.headers };
    if (via === 'app.request') {
      const body = Array.isArray(opts.body) ? opts.body.join('') : opts.body;
      const res = await app.request(path, { method: opts.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}) });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body }));
      });
      req.on('error', reject);
      // an array is sent as separate chunks without a Content-Length (chunked transfer encoding)
      for (const chunk of Array.isArray(opts.body) ? opts.body : opts.body !== undefined ? [opts.body] : []) req.write(chunk);
      req.end();
    });
  }

  const secured = (a: Answer, cacheControl = 'no-store') => {
    expect(a.headers['cache-control']).toBe(cacheControl);
    expect(a.headers['x-content-type-options']).toBe('nosniff');
  };

  it('puts no-store and nosniff on an answer, and leaves a route its own Cache-Control', async () => {
    const plain = await send('/plain');
    expect([plain.status, plain.body]).toEqual([200, 'plain']);
    secured(plain);
    secured(await send('/cached'), 'max-age=5');
  });

  it('refuses another Host or a web Origin with 403 before any route, with the same headers', async () => {
    const rebound = await send('/plain', { headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: 'invalid_request' });
    secured(rebound);
    const page = await send('/plain', { headers: { origin: 'https://evil.example' } });
    expect(page.status).toBe(403);
    expect(JSON.parse(page.body)).toMatchObject({ error: 'access_denied' });
    expect(page.headers['content-type']).toBe('application/json');
    secured(page);
  });

  it('refuses a declared body over 64 KiB from its header, and counts one sent without a length as it is read', async () => {
    const big = 'x'.repeat(64 * 1024 + 1);
    const declared = await send('/echo', { method: 'POST', body: big });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ error: 'invalid_request' });
    secured(declared);
    const streamed = await send('/echo', { method: 'POST', body: [big.slice(0, 40_000), big.slice(40_000)] });
    expect(streamed.status).toBe(413);
    secured(streamed);
    const fits = await send('/echo', { method: 'POST', body: ['a'.repeat(40_000), 'b'.repeat(20_000)] });
    expect([fits.status, fits.body]).toEqual([200, '60000']);
  });

  it('ends the read of a body its client cuts off with an error, and goes on serving', async () => {
    recorded.length = 0;
    if (via === 'node:http') {
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(`POST /record HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 100\r\n\r\n${'x'.repeat(10)}`);
      // cut the body off only once the route is reading it
      await expect.poll(() => recorded, { timeout: 5000 }).toEqual(['reading']);
      socket.destroy();
    } else {
      // the web body stream breaks off after its first chunk
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('x'.repeat(10)));
          controller.error(new Error('connection reset'));
        },
      });
      await app.request('/record', { method: 'POST', headers: { host: `127.0.0.1:${port}` }, body, duplex: 'half' } as RequestInit);
    }
    await expect.poll(() => recorded, { timeout: 5000 }).toEqual(['reading', expect.stringMatching(/^error /)]);
    const next = await send('/record', { method: 'POST', body: 'abc' });
    expect(next.status).toBe(200);
    expect(recorded).toEqual(['reading', expect.stringMatching(/^error /), 'reading', 'read 3']);
  });
});
