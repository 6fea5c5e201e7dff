/**
 * A provider stub that logs every request it receives (method, path, query, body), so a test can prove
 * what reached a provider and when. It stands in for an OAuth provider's authorization endpoint, which
 * these tests must never reach before the person has seen the request. It also serves, on a second
 * loopback host (a different site), whatever "hostile page" HTML a test gives it.
 */
import { createServer, type Server } from 'node:http';

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface ProviderStub {
  /** http://127.0.0.1:<port>: the provider. */
  origin: string;
  /** http://localhost:<port>: another site, serving `pages`. */
  siteOrigin: string;
  received: Received[];
  pages: Map<string, string>;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

export async function startProviderStub(): Promise<ProviderStub> {
  const received: Received[] = [];
  const pages = new Map<string, string>();
  const provider = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      if (url.pathname !== '/favicon.ico') received.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, body });
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Provider</title><h1>Provider consent screen</h1>');
    });
  });
  const site = createServer((req, res) => {
    const page = pages.get(new URL(req.url ?? '/', 'http://site').pathname);
    if (page === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  const [providerPort, sitePort] = await Promise.all([listen(provider), listen(site)]);
  return {
    origin: `http://127.0.0.1:${providerPort}`,
    siteOrigin: `http://localhost:${sitePort}`,
    received,
    pages,
    async close() {
      provider.closeAllConnections();
      site.closeAllConnections();
      await Promise.all([new Promise((r) => provider.close(r)), new Promise((r) => site.close(r))]);
    },
  };
}
