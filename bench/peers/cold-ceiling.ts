/**
 * The cold-start ceiling for bench/scale.ts: the least a daemon on Mandate's stack does before its first answer —
 * load Hono and the daemon's node:http listener, open a SQLite file with the daemon's pragmas, listen on loopback and
 * answer a metadata request. bench/scale.ts bundles it the way scripts/bundle-daemon.ts bundles the daemon and runs it
 * through the same code cache (daemon/src/cli/code-cache.ts: `main` calls `ready` once it listens, as
 * `mandate daemon` does), so spawn → first answer of this file is what no daemon on this stack can beat here.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { sqliteAddon } from '../../daemon/src/store/sqlite-addon.js';
import { serveLikeTheDaemon } from './daemon-stack.js';

export async function main(argv: string[], hooks: { ready: () => void }): Promise<void> {
  const home = argv[0];
  if (!home) throw new Error('usage: cold-ceiling <home>');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const db = new Database(join(home, 'ceiling.db'), sqliteAddon()); // its addon found as the daemon finds it (store/sqlite-addon.ts)
  db.pragma('locking_mode = EXCLUSIVE'); // held alone, as the daemon holds its file (store/db.ts)
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY) STRICT');

  const app = new Hono().get('/.well-known/oauth-authorization-server', (c) => c.json({ issuer: new URL(c.req.url).origin }));
  const server = await new Promise<ReturnType<typeof serveLikeTheDaemon>>((resolve) => {
    const listening = serveLikeTheDaemon(app.fetch, (port) => {
      process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
      resolve(listening);
    });
  });
  hooks.ready(); // as `mandate daemon` does: once it serves
  process.on('SIGTERM', () =>
    server.close(() => {
      db.close();
      process.exit(0);
    }),
  );
}
