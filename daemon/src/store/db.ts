import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { migrate } from './migrate.js';

export type { Database };

/**
 * Opens (creating if needed) the one SQLite file Mandate keeps, mode 0600, WAL with synchronous=FULL
 * so a grant, revocation or audit row is on disk before any answer leaves the daemon. `log` hears of a schema
 * upgrade before it runs.
 */
export function openDatabase(path: string, log?: (message: string) => void): Database {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Savepoint journals (group commit gives each unit its own savepoint) stay in memory, not in temp files:
  // a savepoint only needs to survive until its transaction ends, and a crash rolls the transaction back anyway.
  db.pragma('temp_store = MEMORY');
  migrate(db, log);
  for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
  return db;
}
