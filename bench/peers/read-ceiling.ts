/**
 * The introspection ceiling for bench/http.ts: a Hono server on the daemon's stack whose only work per request is
 * what an introspection must read so that a revocation is seen by the very next call — read the form body, look
 * the token's `jti` up in the tokens table and its grant in the grants table (WAL SQLite, the daemon's pragmas),
 * and answer an RFC 7662 body. No client authentication, no JWT signature check, no audience or scope logic. So it
 * bounds from above what an introspection endpoint that reads live state from its store can reach here.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';

const dir = mkdtempSync(join(tmpdir(), 'mandate-read-ceiling-'));
const db = new Database(join(dir, 'ceiling.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE grants (id TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at INTEGER NOT NULL, person TEXT NOT NULL,
           client_id TEXT NOT NULL, resource TEXT NOT NULL, scope TEXT NOT NULL) STRICT;
         CREATE TABLE tokens (jti TEXT PRIMARY KEY, grant_id TEXT NOT NULL REFERENCES grants (id), exp INTEGER NOT NULL) STRICT;`);
const now = () => Math.floor(Date.now() / 1000);
const insertGrant = db.prepare('INSERT INTO grants VALUES (?, ?, ?, ?, ?, ?, ?)');
const insertToken = db.prepare('INSERT INTO tokens VALUES (?, ?, ?)');
// A store of the bench's size: a thousand grants, ten thousand tokens; the bench asks about one of them.
db.transaction(() => {
  for (let g = 0; g < 1000; g++) {
    insertGrant.run(`g${g}`, 'approved', now() + 3600, 'user:bench', 'agent', 'https://mail.example/', 'mail.read');
    for (let t = 0; t < 10; t++) insertToken.run(`g${g}t${t}-${randomBytes(8).toString('hex')}`, `g${g}`, now() + 300);
  }
})();
const token = db.prepare<[string], { grant_id: string; exp: number }>('SELECT grant_id, exp FROM tokens WHERE jti = ?');
const grant = db.prepare<[string], { status: string; expires_at: number; person: string; client_id: string; resource: string; scope: string }>(
  'SELECT status, expires_at, person, client_id, resource, scope FROM grants WHERE id = ?',
);
const known = db.prepare<[], { jti: string }>('SELECT jti FROM tokens LIMIT 1 OFFSET 5000').get()!.jti;

const app = new Hono().post('/introspect', async (c) => {
  const jti = new URLSearchParams(await c.req.text()).get('token') ?? '';
  const t = token.get(jti);
  const g = t && grant.get(t.grant_id);
  if (!t || !g || g.status !== 'approved' || g.expires_at <= now() || t.exp <= now()) return c.json({ active: false });
  return c.json({ active: true, sub: g.person, client_id: g.client_id, aud: g.resource, scope: g.scope, exp: t.exp, token_type: 'Bearer' });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}`, token: known })}\n`);
});
process.on('SIGTERM', () =>
  server.close(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }),
);
