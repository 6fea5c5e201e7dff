/**
 * For node-listener.test.ts, in a process of its own (a test runner's process has long loaded Node's fetch): serves a
 * Hono app through the daemon's listener, asks it over node:http, and prints as JSON whether Node's fetch
 * implementation (undici) was loaded after each answer.
 */
import { Hono } from 'hono';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestListener } from '../src/http/node-listener.js';

/** Node's list of the built-in modules it has loaded (not in @types/node). */
const loaded = (process as NodeJS.Process & { moduleLoadList: string[] }).moduleLoadList;
const fetchLoaded = () => loaded.some((m) => m.includes('undici'));

/** Node defines the fetch globals as getters that load undici on first use; the listener keeps Response's. */
const responseWasGetter = Object.getOwnPropertyDescriptor(globalThis, 'Response')?.get !== undefined;

const app = new Hono()
  .get('/.well-known/oauth-authorization-server', (c) => c.json({ issuer: new URL(c.req.url).origin }))
  .get('/with-header', (c) => {
    c.header('X-Extra', 'yes');
    return c.json({ ok: true });
  });
const server = createServer(requestListener(app.fetch, (e) => console.error(e)));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;

function get(path: string): Promise<{ status: number; body: string; extra: string | undefined }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, extra: res.headers['x-extra'] as string | undefined }));
    })
      .on('error', reject)
      .end();
  });
}

const loadedBefore = fetchLoaded();
const metadata = await get('/.well-known/oauth-authorization-server');
const loadedAfterMetadata = fetchLoaded();
const withHeader = await get('/with-header');
const loadedAfterHeader = fetchLoaded();
// a response asked for more than its parts becomes Node's through the getter the listener kept
const realized = await new Response('{"made":"real"}', { headers: { 'content-type': 'application/json' } }).json();
const globalStaysLazy = Object.getOwnPropertyDescriptor(globalThis, 'Response')?.value?.name === 'LazyResponse';
server.close();
process.stdout.write(
  JSON.stringify({ responseWasGetter, loadedBefore, metadata, loadedAfterMetadata, withHeader, loadedAfterHeader, realized, globalStaysLazy }),
);
