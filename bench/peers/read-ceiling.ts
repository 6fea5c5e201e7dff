/**
 * The introspection ceilings for bench/http.ts: a Hono server on the daemon's stack whose only work per request is
 * what an introspection must do so that a revocation is seen by the very next call:
 * - read the form body (from the socket, as the daemon does);
 * - find the presented JWT's `jti` by its signature segment and text, as the daemon finds a token it has verified
 *   (ceiling-token.ts);
 * - read the token's row and its grant's liveness (WAL SQLite, the daemon's pragmas);
 * - answer the token's claims as the shared introspection contract types them (shared/src/oauth.ts), serialised
 *   once per token, as the daemon does.
 * No JWT signature check per request, no audience or scope logic, and no client authentication unless `--auth`. So
 * it bounds from above what an introspection endpoint that reads live state from its store can reach here.
 *
 * With `--auth` it first authenticates its caller, as RFC 7662 §2.1 requires of an introspection endpoint
 * (ceiling-request.ts: HTTP Basic, the client's record, a SHA-256 secret check; a caller that fails gets a 401),
 * behind the daemon's Host/Origin guard and security headers (ceiling-guard.ts), so that it is a bound: all an
 * introspection must do. With `--memory` it answers from Maps instead, filled at start: the bound for a design that
 * keeps revocation state in memory. It holds its file exclusively, as the daemon does, so no other connection can
 * write a revocation the Maps would miss (before the daemon held its file, this ceiling asked SQLite's
 * `PRAGMA data_version` on every call to notice one).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { behindDaemonGuard } from './ceiling-guard.js';
import { serveLikeTheDaemon } from './daemon-stack.js';
import { ceilingClient, readBody } from './ceiling-request.js';
import { presentedToken, tokenIndex } from './ceiling-token.js';

const dir = mkdtempSync(join(tmpdir(), 'mandate-read-ceiling-'));
const db = new Database(join(dir, 'ceiling.db'));
db.pragma('locking_mode = EXCLUSIVE'); // held alone, as the daemon holds its file (store/db.ts)
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
type TokenRow = { grant_id: string; exp: number };
type GrantRow = { status: string; expires_at: number };
const token = db.prepare<[string], TokenRow>('SELECT grant_id, exp FROM tokens WHERE jti = ?');
const grant = db.prepare<[string], GrantRow>('SELECT status, expires_at FROM grants WHERE id = ?');
// The token the load presents: a JWT of the daemon's shape (the daemon's own in bench/http.ts), one of grant g500's.
const known = presentedToken(randomBytes(16).toString('base64url'), 'g500');
insertToken.run(known.jti, 'g500', now() + 300);
const jtiOf = tokenIndex([known]);
// An active token's answer is its claims (shared/src/oauth.ts, introspectionResponse), serialised once, as the daemon
// keeps it per token (daemon/src/oauth/introspect.ts); whether the token is active is still read on every call.
const activeAnswer = JSON.stringify({ active: true, token_type: 'Bearer', ...known.claims });
const json = { 'content-type': 'application/json' };

// --memory: the same answer from Maps, filled at start. No other connection can write the file while this one
// holds it (locking_mode above), so nothing can revoke behind the Maps' back.
const inMemory = process.argv.includes('--memory');
const tokens = new Map<string, TokenRow>();
const grants = new Map<string, GrantRow>();
if (inMemory) {
  for (const t of db.prepare<[], TokenRow & { jti: string }>('SELECT jti, grant_id, exp FROM tokens').all()) tokens.set(t.jti, t);
  for (const g of db.prepare<[], GrantRow & { id: string }>('SELECT id, status, expires_at FROM grants').all()) grants.set(g.id, g);
}

const client = process.argv.includes('--auth') ? ceilingClient() : undefined;

const app = new Hono<{ Bindings: { incoming: IncomingMessage } }>().post('/introspect', async (c) => {
  if (client && !client.authenticate(c.env.incoming)) return c.json({ error: 'invalid_client' }, 401);
  const jti = jtiOf(new URLSearchParams(await readBody(c.env.incoming)).get('token') ?? '');
  const t = jti === undefined ? undefined : inMemory ? tokens.get(jti) : token.get(jti);
  const g = t && (inMemory ? grants.get(t.grant_id) : grant.get(t.grant_id));
  if (!t || !g || g.status !== 'approved' || g.expires_at <= now() || t.exp <= now()) return c.json({ active: false });
  return c.body(activeAnswer, 200, json);
});
// a bound (bench/verdict.ts) does all a daemon route must do, the guard included
const guard = client ? behindDaemonGuard(app.fetch) : undefined;
const server = serveLikeTheDaemon(guard?.fetch ?? app.fetch, (port) => {
  guard?.listening(port);
  const start = {
    url: `http://127.0.0.1:${port}`,
    token: known.token,
    db: join(dir, 'ceiling.db'),
    ...(client ? { authorization: client.authorization } : {}),
  };
  process.stdout.write(`${JSON.stringify(start)}\n`);
});
process.on('SIGTERM', () =>
  server.close(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }),
);
