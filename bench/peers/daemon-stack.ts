/**
 * Serves a ceiling's `fetch` on the daemon's server stack: node:http with the daemon's own listener
 * (daemon/src/http/node-listener.ts), on a free loopback port, so a ceiling pays what the daemon pays to serve and
 * nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type NodeFetch, requestListener } from '../../daemon/src/http/node-listener.js';

export function serveLikeTheDaemon(fetch: NodeFetch, listening: (port: number) => void): Server {
  const server = createServer(requestListener(fetch, (e) => console.error(e)));
  server.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port));
  return server;
}
