/**
 * Group commit (events.ts transactGrouped): units queued in one turn share one transaction and one fsync,
 * each still commits or rolls back alone, events go out only for units that committed, and no promise
 * settles before the shared commit is on disk (a second connection sees the rows).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonEvent } from '#shared/admin-api.js';
import { eventBus, transactor } from '../src/events.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-group-'));
  dirs.push(dir);
  const file = join(dir, 'g.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  // count the outer (top-level) transactions: each is one commit, one fsync
  let commits = 0;
  const transaction = db.transaction.bind(db);
  Object.defineProperty(db, 'transaction', {
    value: (fn: (...args: unknown[]) => unknown) => {
      const t = transaction(fn);
      const immediate = () => {
        commits++;
        return t.immediate();
      };
      return Object.assign((...args: unknown[]) => t(...args), { immediate });
    },
  });
  const bus = eventBus();
  const published: DaemonEvent[] = [];
  bus.subscribe((e) => published.push(e));
  const tx = transactor(db, bus);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  return { db, file, tx, published, insert, commits: () => commits };
}

describe('group commit', () => {
  it('commits the units queued in one turn together, once', async () => {
    const { db, file, tx, insert, commits } = setup();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => tx.transactGrouped(() => Number(insert.run(`v${i}`).lastInsertRowid))));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(commits()).toBe(1);
    // durable and visible to another connection once the promises settled
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 20 });
    other.close();
    db.close();
  });

  it('rolls back only the unit that throws, and publishes only the events of units that committed', async () => {
    const { db, tx, insert, published } = setup();
    const grant = (id: string): DaemonEvent => ({ type: 'grant', grant_id: id, status: 'approved' });
    const a = tx.transactGrouped(() => {
      insert.run('a');
      tx.enqueue(grant('grt_a'));
    });
    const b = tx.transactGrouped(() => {
      insert.run('b');
      tx.enqueue(grant('grt_b'));
      insert.run('a'); // UNIQUE violation: b's own row must go too
    });
    const c = tx.transactGrouped(() => {
      insert.run('c');
      tx.enqueue(grant('grt_c'));
    });
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow(/UNIQUE/);
    await expect(c).resolves.toBeUndefined();
    expect(db.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual(['a', 'c']);
    expect(published.map((e) => (e.type === 'grant' ? e.grant_id : ''))).toEqual(['grt_a', 'grt_c']);
    db.close();
  });

  it('lets a unit join the shared transaction through transact (nested), and a later turn gets a commit of its own', async () => {
    const { db, tx, insert, commits } = setup();
    await tx.transactGrouped(() => tx.transact(() => insert.run('x')));
    await tx.transactGrouped(() => insert.run('y'));
    expect(commits()).toBe(2);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
    db.close();
  });

  it('rejects every unit when the shared commit fails, and none is visible', async () => {
    const { db, tx, insert } = setup();
    const first = tx.transactGrouped(() => insert.run('p'));
    const second = tx.transactGrouped(() => insert.run('q'));
    db.close(); // the commit cannot happen
    await expect(first).rejects.toThrow();
    await expect(second).rejects.toThrow();
  });
});
