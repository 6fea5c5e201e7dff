/**
 * The framework ceiling for bench/http.ts: a Hono "hello" on the daemon's server stack (node:http and the daemon's
 * listener, daemon-stack.ts). With HELLO_BODY set it serves that JSON text instead, the way the daemon serves its
 * pre-serialised metadata, so the bench can show what the document's size costs apart from the guards and routing
 * in front of it. With `--guard` it serves it behind the daemon's own guard (ceiling-guard.ts), which every daemon
 * route must have: the bound for the metadata row, all that serving the document requires and nothing else.
 */
import { Hono } from 'hono';
import { behindDaemonGuard } from './ceiling-guard.js';
import { serveLikeTheDaemon } from './daemon-stack.js';

const doc = process.env.HELLO_BODY;
const json = { 'content-type': 'application/json' };
const app = new Hono().get('/', (c) => (doc === undefined ? c.json({ hello: 'world' }) : c.body(doc, 200, json)));
const guard = process.argv.includes('--guard') ? behindDaemonGuard(app.fetch) : undefined;
const server = serveLikeTheDaemon(guard?.fetch ?? app.fetch, (port) => {
  guard?.listening(port);
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
