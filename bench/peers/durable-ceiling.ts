/**
 * The durable-write ceiling for bench/http.ts: a Hono server on the daemon's stack whose only work per request is
 * what a token exchange must make durable before it answers — one token row (`jti`) and one audit row — group-
 * committed the way the daemon does it (units queued in one event-loop turn share one IMMEDIATE transaction and
 * one fsync, WAL, synchronous=FULL; the answer leaves after the commit). No HTTP body, no client authentication,
 * no token verification, no hash chain. With `--sign` it also signs an RFC 9068-sized ES256 JWT per request, as
 * every issuer must (node:crypto, the daemon's own signing path). So it bounds from above what any durable issuer
 * can reach on this machine and stack: if it is below a goal, that goal needs durability given up.
 * With `--checks` (which implies `--sign`) it also makes the checks every RFC 8693 exchange must make before it
 * issues: read the form body from the socket, authenticate the client (ceiling-request.ts: HTTP Basic, the
 * client's record, a SHA-256 secret check) and look the subject token up with its grant, which must be live (the
 * token's row and the grant's row, as an introspection reads them). The subject token is a JWT of the daemon's
 * shape, found by its signature segment and text (ceiling-token.ts). A request that fails a check gets a 400 or 401.
 * It then also runs behind the daemon's Host/Origin guard and security headers (ceiling-guard.ts), so that it is a
 * bound: all an exchange must do.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { behindDaemonGuard } from './ceiling-guard.js';
import { serveLikeTheDaemon } from './daemon-stack.js';
import { ceilingClient, readBody } from './ceiling-request.js';
import { presentedToken, signedAccessToken, tokenIndex } from './ceiling-token.js';

const dir = mkdtempSync(join(tmpdir(), 'mandate-ceiling-'));
const db = new Database(join(dir, 'ceiling.db'));
db.pragma('locking_mode = EXCLUSIVE'); // held alone, as the daemon holds its file (store/db.ts)
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE tokens (jti TEXT PRIMARY KEY, grant_id TEXT NOT NULL, exp INTEGER NOT NULL) STRICT;
         CREATE TABLE audit (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, detail TEXT NOT NULL) STRICT;`);
const insertToken = db.prepare('INSERT INTO tokens (jti, grant_id, exp) VALUES (?, ?, ?)');
const insertAudit = db.prepare('INSERT INTO audit (ts, type, detail) VALUES (?, ?, ?)');

let batch: { jti: string; resolve: () => void }[] = [];
const commit = db.transaction((units: typeof batch) => {
  const now = Date.now();
  for (const u of units) {
    insertToken.run(u.jti, 'grant', now + 300_000);
    insertAudit.run(now, 'token.issued', `{"jti":"${u.jti}"}`);
  }
});
function flush(): void {
  const units = batch;
  batch = [];
  commit.immediate(units);
  for (const u of units) u.resolve();
}
const issue = (jti: string) =>
  new Promise<void>((resolve) => {
    batch.push({ jti, resolve });
    if (batch.length === 1) setImmediate(flush);
  });

const CHECKS = process.argv.includes('--checks');
const SIGN = CHECKS || process.argv.includes('--sign');
const client = CHECKS ? ceilingClient() : undefined;

// --checks: one live grant and a subject token issued within it, which every request presents
db.exec('CREATE TABLE grants (id TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT');
db.prepare('INSERT INTO grants VALUES (?, ?, ?)').run('grant', 'approved', Math.floor(Date.now() / 1000) + 86_400);
const subject = presentedToken(randomBytes(16).toString('base64url'));
insertToken.run(subject.jti, 'grant', Date.now() + 86_400_000);
const subjectJti = tokenIndex([subject]);
const subjectRow = db.prepare<[string], { grant_id: string; exp: number }>('SELECT grant_id, exp FROM tokens WHERE jti = ?');
const grantOf = db.prepare<[string], { status: string; expires_at: number }>('SELECT status, expires_at FROM grants WHERE id = ?');

/** The exchange's checks: the client's credentials, then the subject token's row and its grant's, which must be live. */
async function check(incoming: IncomingMessage): Promise<'invalid_client' | 'invalid_grant' | undefined> {
  const form = new URLSearchParams(await readBody(incoming));
  if (!client!.authenticate(incoming)) return 'invalid_client';
  const jti = subjectJti(form.get('subject_token') ?? '');
  const t = jti === undefined ? undefined : subjectRow.get(jti);
  const g = t && grantOf.get(t.grant_id);
  return g && g.status === 'approved' && g.expires_at > Math.floor(Date.now() / 1000) ? undefined : 'invalid_grant';
}
const app = new Hono<{ Bindings: { incoming: IncomingMessage } }>().post('/token', async (c) => {
  const refused = CHECKS ? await check(c.env.incoming) : undefined;
  if (refused !== undefined) return c.json({ error: refused }, refused === 'invalid_client' ? 401 : 400);
  const jti = randomBytes(16).toString('base64url');
  const token = SIGN ? signedAccessToken(jti) : jti;
  await issue(jti);
  return c.json({ access_token: token, token_type: 'Bearer', expires_in: 300 });
});
// a bound (bench/verdict.ts) does all a daemon route must do, the guard included
const guard = CHECKS ? behindDaemonGuard(app.fetch) : undefined;
const server = serveLikeTheDaemon(guard?.fetch ?? app.fetch, (port) => {
  guard?.listening(port);
  const start = { url: `http://127.0.0.1:${port}`, ...(client ? { authorization: client.authorization, subject_token: subject.token } : {}) };
  process.stdout.write(`${JSON.stringify(start)}\n`);
});
process.on('SIGTERM', () =>
  server.close(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }),
);
