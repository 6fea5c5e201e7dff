/**
 * http/node-listener.ts, the daemon's node:http listener, over a real server on a loopback port: what it writes for
 * each kind of answer, the request it hands the app, what it refuses before the app, and (in a process of its own)
 * that it loads Node's fetch implementation only when an answer needs it.
 */
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLazyResponse, LazyResponse } from '../src/http/lazy-response.js';
import { type NodeFetch, requestListener } from '../src/http/node-listener.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let port = 0;
let server: Server;
const errors: unknown[] = [];
let cancelled = 0;
let aborted = 0;

const app = new Hono()
  .get('/json', (c) => c.json({ a: 'é' }))
  .get('/bare', () => new Response('plain words'))
  .get('/bytes', () => new Response(new Uint8Array([1, 2, 3]), { headers: { 'content-type': 'application/octet-stream' } }))
  .get('/empty', () => new Response(null, { status: 204 }))
  .get('/status-text', () => new Response('teapot', { status: 418, statusText: 'Short And Stout' }))
  .get('/cookies', (c) => {
    c.header('Set-Cookie', 'a=1', { append: true });
    c.header('Set-Cookie', 'b=2', { append: true });
    c.header('X-Extra', 'yes');
    return c.text('cookies');
  })
  .get(
    '/tuples',
    () =>
      new Response('t', {
        headers: [
          ['x-list', 'one'],
          ['X-List', 'two'],
          ['x-single', 'only'],
        ],
      }),
  )
  .get('/later-header', async (c, next) => {
    await next();
    c.res.headers.set('X-Added-After', 'then'); // makes the response a real one after it was made
  })
  .get('/later-header', (c) => c.json({ later: true }))
  .get('/stream', () => {
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 5));
        if (n === 3) controller.close();
        else controller.enqueue(new TextEncoder().encode(`part ${n++};`));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  })
  .get('/forever', (c) =>
    streamSSE(c, async (stream) => {
      stream.onAbort(() => {
        cancelled++;
      });
      while (!stream.aborted) await stream.writeSSE({ data: 'tick' }).then(() => stream.sleep(10));
    }),
  )
  .get('/abortable', (c) => {
    c.req.raw.signal.addEventListener('abort', () => aborted++);
    return new Promise<Response>(() => {}); // never answers
  })
  .get('/echo-header', (c) => c.text(c.req.header('x-probe') ?? 'none'))
  .post('/echo-json', async (c) => c.json(await c.req.json()))
  .post('/echo-form', async (c) => c.json(await c.req.parseBody()))
  .post('/ignore-body', (c) => c.text('ignored'))
  .get('/bad-header', () => new Response('x', { headers: { location: '/elsewhere', 'x-bad': 'a\nb' } }))
  .get('/url', (c) => c.text(c.req.url))
  .get('/throw', () => {
    throw new Error('boom');
  });
app.onError((e, c) => (e.message === 'boom' ? c.text('caught by hono', 500) : Promise.reject(e)));

const fetchOf: NodeFetch = (request, env) => {
  const path = request.url.slice(request.url.indexOf('/', 'http://'.length));
  if (path === '/sync-throw') throw new Error('thrown before an answer');
  if (path === '/rejects') return Promise.reject(new Error('rejected before an answer'));
  return app.fetch(request, env);
};

beforeAll(async () => {
  server = createServer(requestListener(fetchOf, (e) => errors.push(e)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Sends `raw` bytes on a fresh connection and resolves with everything the server sent back before closing. */
function sendRaw(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      got += d;
      if (/\r\n\r\n/.test(got) && /content-length: (\d+)/i.test(got)) {
        const length = Number(/content-length: (\d+)/i.exec(got)![1]);
        if (Buffer.byteLength(got.slice(got.indexOf('\r\n\r\n') + 4)) >= length) socket.end();
      }
    });
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
    socket.write(raw);
  });
}

describe('what the listener writes', () => {
  it('writes a JSON answer in one piece, with its Content-Length in bytes', async () => {
    const a = await send('/json');
    expect([a.status, a.body]).toEqual([200, '{"a":"é"}']);
    expect(a.headers['content-type']).toBe('application/json');
    expect(a.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
    expect(a.headers['transfer-encoding']).toBeUndefined();
  });

  it('gives a string body without a type the type Node would, and writes bytes and empty answers as they are', async () => {
    const bare = await send('/bare');
    expect([bare.body, bare.headers['content-type']]).toEqual(['plain words', 'text/plain;charset=UTF-8']);
    const bytes = await send('/bytes');
    expect([bytes.headers['content-length'], bytes.headers['content-type'], bytes.body]).toEqual(['3', 'application/octet-stream', '\u0001\u0002\u0003']);
    const empty = await send('/empty');
    expect([empty.status, empty.body]).toEqual([204, '']);
  });

  it('keeps a status text, every Set-Cookie field, and fields of one name given as a list', async () => {
    expect(await sendRaw(`GET /status-text HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 418 Short And Stout\r\n/);
    const cookies = await send('/cookies');
    expect(cookies.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(cookies.headers['x-extra']).toBe('yes');
    expect(cookies.body).toBe('cookies');
    const tuples = await send('/tuples');
    expect(tuples.headers['x-list']).toBe('one, two');
    expect(tuples.headers['x-single']).toBe('only');
  });

  it('writes the headers a caller set on the response after it was made', async () => {
    const a = await send('/later-header');
    expect(a.headers['x-added-after']).toBe('then');
    expect(JSON.parse(a.body)).toEqual({ later: true });
  });

  it('streams a body stream as it comes, and cancels it when the client goes away', async () => {
    const a = await send('/stream');
    expect(a.body).toBe('part 0;part 1;part 2;');
    expect(a.headers['transfer-encoding']).toBe('chunked');
    const before = cancelled;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/forever' }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        res.once('data', () => {
          req.destroy(); // the client leaves mid-stream
          resolve();
        });
      });
      req.on('error', () => {});
      req.on('close', resolve);
      req.once('error', reject);
      req.end();
    });
    await expect.poll(() => cancelled, { timeout: 5000 }).toBe(before + 1);
  });

  it('answers a HEAD with the headers of the GET, and no body', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let got = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (got += d));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
      socket.write(`HEAD /json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });
});

describe('the request the app gets', () => {
  it('reads headers, a JSON body and a form body through Node’s Request when a route asks for them', async () => {
    expect((await send('/echo-header', { headers: { 'X-Probe': 'seen' } })).body).toBe('seen');
    const json = await send('/echo-json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    expect(JSON.parse(json.body)).toEqual({ n: 1 });
    const form = await send('/echo-form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two' });
    expect(JSON.parse(form.body)).toEqual({ a: '1', b: 'two' });
  });

  it('serves the next request on a connection whose last body no route read', async () => {
    const raw = await sendRaw(
      `POST /ignore-body HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 5\r\n\r\nhello` +
        `GET /json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(raw.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(raw).toContain('ignored');
    expect(raw).toContain('{"a":"é"}');
  });

  it('aborts the request’s signal when the client closes the connection first', async () => {
    const before = aborted;
    const socket = connect(port, '127.0.0.1');
    socket.write(`GET /abortable HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await expect.poll(() => aborted, { timeout: 5000 }).toBe(before + 1);
  });

  it('normalises dot segments as a web Request would, and takes an absolute target naming the same host', async () => {
    expect((await send('/a/../url')).body).toBe(`http://127.0.0.1:${port}/url`);
    expect((await send('/url?q=%20x')).body).toBe(`http://127.0.0.1:${port}/url?q=%20x`);
    const absolute = await sendRaw(`GET http://127.0.0.1:${port}/url HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(absolute).toMatch(/^HTTP\/1\.1 200 /);
    expect(absolute).toContain(`http://127.0.0.1:${port}/url`);
  });
});

describe('what the listener refuses or fails itself', () => {
  const refused = async (raw: string, description: RegExp) => {
    const got = await sendRaw(raw);
    expect(got).toMatch(/^HTTP\/1\.1 400 /);
    expect(got).toMatch(/\r\ncache-control: no-store\r\n/i);
    const body = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toMatch(description);
  };

  it('answers a missing, doubled or malformed Host, a backslash path or another absolute host with a 400', async () => {
    await refused('GET /json HTTP/1.0\r\n\r\n', /no Host/);
    await refused(`GET /json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`, /more than one Host/);
    await refused('GET /json HTTP/1.1\r\nHost: evil.example/path\r\nConnection: close\r\n\r\n', /not a host name/);
    await refused(`GET /a\\..\\json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, /backslash/);
    await refused(`GET http://evil.example/json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, /another host/);
  });

  it('answers 500 and reports what the app threw or rejected with, or a header Node refuses', async () => {
    for (const path of ['/sync-throw', '/rejects', '/bad-header']) {
      errors.length = 0;
      const a = await send(path);
      expect(a.status).toBe(500);
      expect(JSON.parse(a.body)).toEqual({ error: 'server_error', error_description: 'internal error; see the daemon log' });
      expect(errors).toHaveLength(1);
      expect(a.headers.location).toBeUndefined(); // nothing of the failed answer goes out
      expect(a.headers['cache-control']).toBe('no-store');
    }
    expect((await send('/throw')).body).toBe('caught by hono'); // the app's own error handler, as before
  });
});

describe('LazyResponse', () => {
  it('refuses what Node’s Response refuses, and answers as one once asked for more than its parts', async () => {
    expect(() => new LazyResponse('x', { status: 199 })).toThrow(RangeError);
    expect(() => new LazyResponse('x', { status: 204 })).toThrow(TypeError);
    const r = new LazyResponse('{"k":1}', { status: 201, headers: { 'content-type': 'application/json' } });
    expect([r.status, r.ok, r.parts.body]).toEqual([201, true, '{"k":1}']);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.clone().json()).toEqual({ k: 1 });
    expect(await r.text()).toBe('{"k":1}');
    expect(r.bodyUsed).toBe(true);
  });
});

describe('the global Response, once the listener has made it LazyResponse', () => {
  it('still counts Node’s own responses (what fetch resolves with) as responses, as OAuth client libraries check', async () => {
    expect(globalThis.Response).toBe(LazyResponse);
    const fetched = await fetch(`http://127.0.0.1:${port}/json`);
    expect(fetched instanceof Response).toBe(true);
    expect(LazyResponse.is(fetched)).toBe(false);
    expect(await fetched.json()).toEqual({ a: 'é' });
    const lazy = new Response('x');
    expect(LazyResponse.is(lazy)).toBe(true);
    expect(Object.prototype.toString.call(lazy)).toBe('[object Response]');
    expect({} instanceof Response).toBe(false);
  });

  it('is put back after another adapter replaced it with a class of its own built on it, and still makes Node’s', async () => {
    // what @hono/node-server does when a test process serves another app with it after a daemon started
    class Other extends LazyResponse {}
    Object.defineProperty(globalThis, 'Response', { value: Other, writable: true, configurable: true });
    installLazyResponse(); // a second daemon in the same process
    expect(globalThis.Response).toBe(LazyResponse);
    expect(await new Response('{"k":2}').json()).toEqual({ k: 2 });
    expect((await send('/json')).body).toBe('{"a":"é"}');
  });
});

describe('Node’s fetch implementation', () => {
  it('is not loaded to answer a request that needs nothing of it, and is loaded by the first answer that does', { timeout: 30_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=mandate-source', '--import', 'tsx', 'daemon/test/node-listener-child.ts']);
    const seen = JSON.parse(stdout) as {
      responseWasGetter: boolean;
      loadedBefore: boolean;
      metadata: { status: number; body: string };
      loadedAfterMetadata: boolean;
      withHeader: { status: number; body: string; extra: string };
      loadedAfterHeader: boolean;
      realized: unknown;
      globalStaysLazy: boolean;
    };
    expect(seen.responseWasGetter).toBe(true);
    expect(seen.loadedBefore).toBe(false);
    expect(seen.metadata.status).toBe(200);
    expect(JSON.parse(seen.metadata.body)).toMatchObject({ issuer: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(seen.loadedAfterMetadata).toBe(false);
    expect([seen.withHeader.status, seen.withHeader.extra, seen.withHeader.body]).toEqual([200, 'yes', '{"ok":true}']);
    expect(seen.loadedAfterHeader).toBe(true);
    expect(seen.realized).toEqual({ made: 'real' });
    expect(seen.globalStaysLazy).toBe(true);
  });
});
