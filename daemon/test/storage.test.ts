import BetterSqlite3 from 'better-sqlite3';
import { createServer } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grantView } from '#shared/admin-api.js';
import { DB_FILE } from '../src/config.js';
import { DaemonStartError, startDaemon } from '../src/daemon.js';
import { MIGRATIONS, migrate } from '../src/store/migrate.js';
import { DatabaseInUseError, PAGE_CACHE_KIB } from '../src/store/db.js';
import { PERSON, auth, startTestDaemon } from './harness.js';

describe('storage', () => {
  it('keeps one 0600 SQLite file in WAL mode, synchronous=FULL, STRICT tables at the latest user_version', async () => {
    const d = await startTestDaemon();
    const path = join(d.home, DB_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(d.home).mode & 0o777).toBe(0o700);
    expect(statSync(join(d.home, 'cli-credential')).mode & 0o777).toBe(0o600);
    expect(d.ctx.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(d.ctx.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(d.ctx.db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB); // bounded, not better-sqlite3's 16 MB
    expect(d.ctx.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = d.ctx.db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all();
    expect(tables.length).toBeGreaterThan(5);
    for (const t of tables) expect(t.sql, t.name).toMatch(/\) STRICT$/);
  });

  it('holds its file alone while it runs: another connection can neither read nor write it; once stopped, it can', async () => {
    const d = await startTestDaemon();
    const path = join(d.home, DB_FILE);
    expect(d.ctx.db.pragma('locking_mode', { simple: true })).toBe('exclusive');
    expect(existsSync(`${path}-shm`)).toBe(false); // the WAL index is in the daemon's memory, not shared
    const other = new BetterSqlite3(path, { timeout: 0 });
    try {
      expect(() => other.prepare('SELECT count(*) FROM grants').get()).toThrow(/database is locked/);
      expect(() => other.exec("UPDATE grants SET status = 'approved'")).toThrow(/database is locked/);
      await d.close();
      expect(other.prepare<[], { n: number }>('SELECT count(*) AS n FROM grants').get()?.n).toBe(0);
    } finally {
      other.close();
    }
  });

  it('refuses to start, saying why, while another program has the file open', async () => {
    const d = await startTestDaemon();
    await d.close();
    const path = join(d.home, DB_FILE);
    const shell = new BetterSqlite3(path); // a sqlite3 shell that has read the file keeps it open (WAL: a shared lock)
    try {
      shell.prepare('SELECT count(*) FROM audit').get();
      const start = startDaemon({ home: d.home, port: 0, person: PERSON, log: () => {} });
      await expect(start).rejects.toBeInstanceOf(DatabaseInUseError);
      await expect(start).rejects.toThrow(`${path} is open in another program`);
    } finally {
      shell.close();
    }
    const again = await startDaemon({ home: d.home, port: 0, person: PERSON, log: () => {} });
    await again.close();
  });

  it('says when it upgrades an existing database before doing it, and nothing when it creates or opens one', () => {
    const said: string[] = [];
    const fresh = new BetterSqlite3(':memory:');
    migrate(fresh, (m) => said.push(m));
    expect(said).toEqual([]); // a new database
    fresh.close();

    const db = new BetterSqlite3(':memory:'); // one release behind: every migration but the last applied
    MIGRATIONS.slice(0, -1).forEach((sql, i) => {
      db.exec(sql);
      db.pragma(`user_version = ${i + 1}`);
    });
    migrate(db, (m) => said.push(m));
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(said).toEqual([
      `upgrading the database from schema ${MIGRATIONS.length - 1} to ${MIGRATIONS.length}, once; with a large audit trail this can take a minute`,
    ]);
    migrate(db, (m) => said.push(m));
    expect(said).toHaveLength(1); // up to date: nothing said
    db.close();
  });

  it('stores secrets and tokens only as hashes or ids', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token, authReqId } = await d.approvedToken(agent);
    await d.close();
    const raw = new BetterSqlite3(join(d.home, DB_FILE), { readonly: true });
    const dump = JSON.stringify(
      ['clients', 'grants', 'tokens', 'admin_credentials', 'pairing_codes', 'audit'].flatMap((t) => raw.prepare(`SELECT * FROM ${t}`).all()),
    );
    raw.close();
    for (const secret of [agent.client_secret, token, authReqId, d.adminToken, d.pairingCode.code]) {
      expect(dump).not.toContain(secret);
    }
  });

  it('keeps revocations, grants and the signing key across a restart', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const live = await d.approvedToken(agent);
    const revoked = await d.approvedToken(agent);
    await d.admin('POST', `/grants/${revoked.grantId}/revoke`, {});
    const d2 = await d.restart();
    expect(await (await d2.form('/introspect', { token: revoked.token }, auth(agent))).json()).toEqual({ active: false });
    // the issuer URL includes the port, which changed: verify by grant state and key continuity instead
    const g = grantView.parse(await (await d2.admin('GET', `/grants/${live.grantId}`)).json());
    expect(g.status).toBe('approved');
    const jwks = (await (await fetch(`${d2.url}/jwks.json`)).json()) as { keys: { kid: string }[] };
    const oldJwks = d.ctx.keys.jwks.keys.map((k) => k.kid);
    expect(jwks.keys.map((k) => k.kid)).toEqual(oldJwks);
  });

  it('lets only one of two racing decisions win', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent);
    const results = await Promise.all([
      d.admin('POST', `/requests/${authReqId}/approve`, {}),
      d.admin('POST', `/requests/${authReqId}/deny`, {}),
      d.admin('POST', `/requests/${authReqId}/approve`, { scope: ['mail.read'] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it('never resurrects a revoked grant: revoke racing renewal leaves it revoked and inactive', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token, grantId } = await d.approvedToken(agent);
    const exchange = () =>
      d.form(
        '/token',
        {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        },
        auth(agent),
      );
    const [, , revokeRes] = await Promise.all([exchange(), exchange(), d.admin('POST', `/grants/${grantId}/revoke`, {}), exchange()]);
    expect(revokeRes.status).toBe(200);
    const g = grantView.parse(await (await d.admin('GET', `/grants/${grantId}`)).json());
    expect(g.status).toBe('revoked');
    const after = await exchange();
    expect(after.status).toBe(400);
  });

  it('refuses to start, with a clear message, when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const d = await startTestDaemon();
    await expect(startDaemon({ home: `${d.home}-other`, port, person: PERSON, log: () => {} })).rejects.toThrow(
      new DaemonStartError(
        `port ${port} on 127.0.0.1 is already in use: another Mandate daemon or another program is listening there. Stop it, or start with --port <n> (or MANDATE_PORT) and point the extension and CLI at that port.`,
      ),
    );
    blocker.close();
  });

  it('refuses a second daemon on the same data dir', async () => {
    const d = await startTestDaemon();
    const state = join(d.home, 'daemon.json');
    // pretend the running daemon is another live process (pid 1 always exists)
    const { writeFileSync, readFileSync } = await import('node:fs');
    const saved = readFileSync(state, 'utf8');
    writeFileSync(state, JSON.stringify({ ...JSON.parse(saved), pid: 1 }));
    await expect(startDaemon({ home: d.home, port: 0, person: PERSON, log: () => {} })).rejects.toThrow(/already using/);
    writeFileSync(state, saved);
  });
});
