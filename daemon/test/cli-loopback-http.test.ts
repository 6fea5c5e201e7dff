/**
 * The CLI's node:http transport (daemon/src/cli/loopback-http.ts) against a real loopback server: what it sends,
 * what it reads back, and what it refuses.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackFetch } from '../src/cli/loopback-http.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = req.url === '/refused' ? 403 : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status, note: 'café ✓' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the CLI loopback transport', () => {
  it('sends the method, headers and a body with its byte length, and reads status and text', async () => {
    const body = JSON.stringify({ reason: 'naïve — 3 bytes a dash' });
    const res = await loopbackFetch(`${base}/v1/requests/x/deny?y=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body,
    });
    expect(res).toMatchObject({ status: 200, ok: true });
    expect(JSON.parse(await res.text())).toEqual({ status: 200, note: 'café ✓' });
    const last = seen.at(-1);
    expect(last).toMatchObject({ method: 'POST', url: '/v1/requests/x/deny?y=1', body });
    expect(last?.headers).toMatchObject({
      authorization: 'Bearer t',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    });
    expect(last?.headers['transfer-encoding']).toBeUndefined();
  });

  it('a refusal is an answer, not a failure: ok is false and the body is readable', async () => {
    const res = await loopbackFetch(`${base}/refused`, { method: 'GET', headers: {} });
    expect(res).toMatchObject({ status: 403, ok: false });
    expect(JSON.parse(await res.text())).toMatchObject({ status: 403 });
    expect(seen.at(-1)?.headers['content-length']).toBeUndefined();
  });

  it('a port nobody listens on rejects, as fetch does', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(loopbackFetch(`http://127.0.0.1:${port}/v1/session`, { method: 'GET', headers: {} })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('an aborted signal rejects', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(loopbackFetch(`${base}/v1/session`, { method: 'GET', headers: {}, signal: ac.signal })).rejects.toThrow(/abort/i);
  });

  it('refuses anything but plain HTTP on loopback before opening a socket', async () => {
    const before = seen.length;
    for (const url of ['http://example.com/v1/session', 'https://127.0.0.1/v1/session', 'http://10.0.0.1:7457/v1/session']) {
      await expect(loopbackFetch(url, { method: 'GET', headers: {} })).rejects.toThrow(/only calls the daemon on loopback/);
    }
    expect(seen.length).toBe(before);
  });
});
