import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { migrate } from './migrate.js';

export type { Database };

/** SQLite's page cache for the daemon's one connection, in KiB. */
export const PAGE_CACHE_KIB = 4096;

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
  // The page cache, bounded: better-sqlite3 builds SQLite with a 16 MB default, which the cache fills as the file
  // grows and keeps, and which alone would take the daemon past its 100 MB budget (bench/README.md, soak). The
  // hot paths touch a few pages each; a miss is a read from the OS's own cache of the file.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  migrate(db, log);
  for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
  return db;
}
