/**
 * The durable-write ceiling for bench/http.ts: a Hono server on the daemon's stack whose only work per request is
 * what a token exchange must make durable before it answers — one token row (`jti`) and one audit row — group-
 * committed the way the daemon does it (units queued in one event-loop turn share one IMMEDIATE transaction and
 * one fsync, WAL, synchronous=FULL; the answer leaves after the commit). No HTTP body, no client authentication,
 * no token verification, no hash chain. With `--sign` it also signs an RFC 9068-sized ES256 JWT per request, as
 * every issuer must (node:crypto, the daemon's own signing path). So it bounds from above what any durable issuer
 * can reach on this machine and stack: if it is below a goal, that goal needs durability given up.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';

const dir = mkdtempSync(join(tmpdir(), 'mandate-ceiling-'));
const db = new Database(join(dir, 'ceiling.db'));
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

const SIGN = process.argv.includes('--sign');
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const HEADER = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })).toString('base64url');

/** A signed JWT with the daemon's claim set (issuer, person, agent, audience, scope, grant, times). */
function jwt(jti: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'http://127.0.0.1', sub: 'user:bench', act: { sub: 'agent' }, client_id: 'agent', aud: 'https://mail.example/' };
  const payload = Buffer.from(JSON.stringify({ ...claims, scope: 'mail.read', grant_id: 'grant', jti, iat: now, exp: now + 300 })).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${HEADER}.${payload}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${HEADER}.${payload}.${signature.toString('base64url')}`;
}

const app = new Hono().post('/token', async (c) => {
  const jti = randomBytes(16).toString('base64url');
  const token = SIGN ? jwt(jti) : jti;
  await issue(jti);
  return c.json({ access_token: token, token_type: 'Bearer', expires_in: 300 });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
});
process.on('SIGTERM', () =>
  server.close(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }),
);
