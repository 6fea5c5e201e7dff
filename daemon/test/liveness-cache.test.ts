/**
 * The introspection's liveness read is answered from memory (store/liveness-cache.ts). The property: after any
 * sequence of writes, by the repositories' own statements or by any other SQL on the connection, committed or rolled
 * back, the remembered answer is the one the file gives. Every known token is read after every step, so every entry
 * is warm when the next write comes.
 */
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/store/db.js';
import { grantsRepo, type GrantsRepo } from '../src/store/grants.repo.js';
import { LIVENESS_KEPT, livenessReader, TOKEN_LIVENESS_SQL } from '../src/store/liveness-cache.js';
import { tokensRepo, type TokensRepo } from '../src/store/tokens.repo.js';
import { databaseWithAgent, decision, pendingGrant } from './repo-fixture.js';

const GRANTS = ['g0', 'g1', 'g2', 'g3'];
const JTIS = Array.from({ length: 10 }, (_, i) => `t${i}`);

interface World {
  db: Database;
  dir: string;
  grants: GrantsRepo;
  tokens: TokensRepo;
  truth: (jti: string) => unknown;
}

const open: Pick<World, 'db' | 'dir'>[] = [];
afterEach(() => {
  for (const w of open.splice(0)) {
    w.db.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
});

/**
 * Four grants (two approved, one pending, one denied) and ten tokens spread over them, in a real file. With
 * `foreignKeysOff` a grant that has tokens can be deleted or replaced, which the schema's foreign key forbids
 * today: the cache must not depend on it.
 */
function world(foreignKeysOff = false): World {
  const { dir, db } = databaseWithAgent();
  if (foreignKeysOff) db.pragma('foreign_keys = OFF');
  const grants = grantsRepo(db);
  const tokens = tokensRepo(db);
  for (const [i, id] of GRANTS.entries()) {
    grants.insert(pendingGrant(id));
    if (i < 2) grants.approve(id, 10, ['s'], 100 + i * 50, decision);
    if (i === 3) grants.deny(id, 10, decision);
  }
  for (const [i, jti] of JTIS.entries()) if (i < 8) tokens.insert(jti, GRANTS[i % GRANTS.length]!, 60 + i * 10);
  const truthStmt = db.prepare(TOKEN_LIVENESS_SQL);
  const w = { db, dir, grants, tokens, truth: (jti: string) => truthStmt.get(jti) };
  open.push(w);
  return w;
}

type Op =
  | { op: 'approve' | 'deny' | 'markUsed' | 'deliver' | 'poll'; g: number; now: number }
  | { op: 'end'; g: number; now: number; status: 'revoked' | 'ended' }
  | { op: 'revokeAll' | 'revokeForClient' | 'expireDue' | 'purge'; now: number }
  | { op: 'issue'; t: number; g: number; exp: number }
  | { op: 'sqlStatus'; g: number; status: 'approved' | 'revoked' | 'expired' | 'pending' }
  | { op: 'sqlExpiry'; g: number; expires: number | null }
  | { op: 'sqlRepoint'; t: number; g: number }
  | { op: 'sqlDelete'; t: number }
  | { op: 'sqlReplace'; t: number; g: number }
  | { op: 'sqlRenameGrant'; g: number }
  | { op: 'sqlDeleteGrant'; g: number }
  | { op: 'sqlReplaceGrant'; g: number; status: 'approved' | 'revoked' }
  | { op: 'txn'; inner: Op; rollback: boolean };

const g = fc.nat({ max: GRANTS.length - 1 });
const t = fc.nat({ max: JTIS.length - 1 });
const now = fc.integer({ min: 0, max: 250 });
const simple: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('approve' as const, 'deny' as const, 'markUsed' as const, 'deliver' as const, 'poll' as const), g, now }),
  fc.record({ op: fc.constant('end' as const), g, now, status: fc.constantFrom('revoked' as const, 'ended' as const) }),
  fc.record({ op: fc.constantFrom('revokeAll' as const, 'revokeForClient' as const, 'expireDue' as const, 'purge' as const), now }),
  fc.record({ op: fc.constant('issue' as const), t, g, exp: now }),
  fc.record({
    op: fc.constant('sqlStatus' as const),
    g,
    status: fc.constantFrom('approved' as const, 'revoked' as const, 'expired' as const, 'pending' as const),
  }),
  fc.record({ op: fc.constant('sqlExpiry' as const), g, expires: fc.option(now, { nil: null }) }),
  fc.record({ op: fc.constant('sqlRepoint' as const), t, g }),
  fc.record({ op: fc.constant('sqlDelete' as const), t }),
  fc.record({ op: fc.constant('sqlReplace' as const), t, g }),
  fc.record({ op: fc.constant('sqlRenameGrant' as const), g }),
  fc.record({ op: fc.constant('sqlDeleteGrant' as const), g }),
  fc.record({ op: fc.constant('sqlReplaceGrant' as const), g, status: fc.constantFrom('approved' as const, 'revoked' as const) }),
);
const anyOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: simple },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('txn' as const), inner: simple, rollback: fc.boolean() }) },
);

/** Runs one write; a write SQLite refuses (a key taken, a foreign key) is a write that did not happen. */
function apply(w: World, o: Op, read: (jti: string) => unknown): void {
  const id = 'g' in o ? GRANTS[o.g]! : '';
  const jti = 't' in o ? JTIS[o.t]! : '';
  try {
    switch (o.op) {
      case 'approve':
        w.grants.approve(id, o.now, ['s'], o.now + 60, decision);
        break;
      case 'deny':
        w.grants.deny(id, o.now, decision);
        break;
      case 'markUsed':
        w.grants.markUsed(id, o.now);
        break;
      case 'deliver':
        w.grants.deliverFirstToken(id, o.now);
        break;
      case 'poll':
        w.grants.recordPoll(id, o.now, 5);
        break;
      case 'end':
        w.grants.end(id, o.now, o.status, 'p');
        break;
      case 'revokeAll':
        w.grants.revokeAll(o.now, 'p');
        break;
      case 'revokeForClient':
        w.grants.revokeForClient('agt_1', o.now, 'p');
        break;
      case 'expireDue':
        w.grants.expireDue(o.now);
        break;
      case 'purge':
        w.tokens.purgeExpired(o.now);
        break;
      case 'issue':
        w.tokens.insert(jti, id, o.exp);
        break;
      case 'sqlStatus':
        w.db.prepare('UPDATE grants SET status = ? WHERE id = ?').run(o.status, id);
        break;
      case 'sqlExpiry':
        w.db.prepare('UPDATE grants SET expires_at = ? WHERE id = ?').run(o.expires, id);
        break;
      case 'sqlRepoint':
        w.db.prepare('UPDATE tokens SET grant_id = ? WHERE jti = ?').run(id, jti);
        break;
      case 'sqlDelete':
        w.db.prepare('DELETE FROM tokens WHERE jti = ?').run(jti);
        break;
      case 'sqlReplace':
        w.db.prepare('INSERT OR REPLACE INTO tokens (jti, grant_id, expires_at) VALUES (?, ?, 999)').run(jti, id);
        break;
      case 'sqlRenameGrant':
        w.db.prepare(`UPDATE grants SET id = id || 'x' WHERE id = ?`).run(id);
        break;
      case 'sqlDeleteGrant':
        w.db.prepare('DELETE FROM grants WHERE id = ?').run(id);
        break;
      case 'sqlReplaceGrant':
        w.db
          .prepare(
            `INSERT OR REPLACE INTO grants (id, auth_req_hash, client_id, sub, resource, requested_scope, requested_duration, status,
               created_at, request_expires_at, poll_interval, expires_at) VALUES (?, randomblob(32), 'agt_1', 'p', 'https://r/', 's', 100, ?, 0, 50, 5, 200)`,
          )
          .run(id, o.status);
        break;
      case 'txn':
        w.db.transaction(() => {
          apply(w, o.inner, read);
          for (const j of JTIS) read(j); // reads inside the transaction see its writes and must not be kept
          if (o.rollback) throw new Rollback();
        })();
        break;
    }
  } catch (e) {
    if (e instanceof Rollback || (e instanceof Error && 'code' in e && String(e.code).startsWith('SQLITE_CONSTRAINT'))) return;
    throw e;
  }
}
class Rollback extends Error {}

describe('the remembered liveness of a token', () => {
  it('is what the file says after any sequence of writes, committed or rolled back', () => {
    fc.assert(
      fc.property(fc.array(anyOp, { minLength: 1, maxLength: 25 }), fc.boolean(), (ops, foreignKeysOff) => {
        const w = world(foreignKeysOff);
        const read = w.grants.livenessByTokenJti;
        for (const j of JTIS) expect(read(j)).toEqual(w.truth(j));
        for (const o of ops) {
          apply(w, o, read);
          for (const j of JTIS) expect(read(j), `${j} after ${JSON.stringify(o)}`).toEqual(w.truth(j));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is one cache per connection: a second repository does not take the first one's notices away", () => {
    const w = world();
    const first = w.grants.livenessByTokenJti;
    expect(first('t0')).toMatchObject({ id: 'g0', status: 'approved' });
    const second = grantsRepo(w.db);
    expect(second.livenessByTokenJti).toBe(first);
    expect(livenessReader(w.db)).toBe(first);
    second.end('g0', 20, 'revoked', 'p');
    expect(first('t0')).toMatchObject({ id: 'g0', status: 'revoked' });
  });

  it('is never set up inside a transaction, whose rollback would take its triggers away', () => {
    const { dir, db } = databaseWithAgent();
    open.push({ db, dir });
    expect(() => db.transaction(() => grantsRepo(db))()).toThrow('the liveness cache is set up outside a transaction');
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_temp_master WHERE type = 'trigger'`).get()).toEqual({ n: 0 });
    grantsRepo(db);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_temp_master WHERE type = 'trigger'`).get()).toEqual({ n: 6 });
  });

  it('stays right past its size: the oldest entries go, and a revocation still reaches every token of the grant', () => {
    const w = world();
    const many = Array.from({ length: LIVENESS_KEPT + 50 }, (_, i) => `m${i}`);
    w.db.transaction(() => {
      for (const jti of many) w.tokens.insert(jti, 'g1', 500);
    })();
    for (const jti of many) expect(w.grants.livenessByTokenJti(jti)).toMatchObject({ id: 'g1', status: 'approved' });
    w.grants.end('g1', 20, 'revoked', 'p');
    for (const jti of many) expect(w.grants.livenessByTokenJti(jti)?.status).toBe('revoked');
  });

  it('hands out frozen rows, so no caller can change what the next one is told', () => {
    const w = world();
    const row = w.grants.livenessByTokenJti('t0');
    expect(Object.isFrozen(w.grants.livenessByTokenJti('t0'))).toBe(true);
    expect(w.grants.livenessByTokenJti('t0')).toBe(row);
  });
});
