import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import { MandateError } from '#shared/errors.js';
import { migrate } from './migrate.js';
import { sqliteAddon } from './sqlite-addon.js';

export type { Database };

/** SQLite's page cache for the daemon's one connection, in KiB. */
export const PAGE_CACHE_KIB = 4096;

/**
 * Opens (creating if needed) the one SQLite file Mandate keeps, mode 0600, WAL with synchronous=FULL
 * so a grant, revocation or audit row is on disk before any answer leaves the daemon. `log` hears of a schema
 * upgrade before it runs.
 *
 * The connection holds the file exclusively (`locking_mode = EXCLUSIVE`, set before WAL is first used): while the
 * daemon runs, no other process can read it or change a grant behind the daemon's back (a `sqlite3` shell gets
 * "database is locked"), so what the daemon reads is what it last wrote. SQLite then keeps the WAL index in this
 * process's memory instead of a shared `-shm` file, and no statement takes the shared-memory locks: 13 % less CPU
 * per introspection, 6 % per exchange (bench/README.md, "The database held exclusively").
 */
export function openDatabase(path: string, log?: (message: string) => void): Database {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  // how long to wait for another program to let go of the file before saying so (better-sqlite3's default: 5 s)
  const db = new BetterSqlite3(path, { timeout: IN_USE_WAIT_MS, ...sqliteAddon() });
  try {
    configure(db, log);
  } catch (e) {
    db.close();
    if (e instanceof BetterSqlite3.SqliteError && e.code === 'SQLITE_BUSY') throw new DatabaseInUseError(path);
    throw e;
  }
  for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
  return db;
}

/** How long opening waits for another program to close the file before it gives up. */
export const IN_USE_WAIT_MS = 2000;

/** Another program (a `sqlite3` shell, a backup tool) has the file open, so the daemon cannot hold it alone. */
export class DatabaseInUseError extends MandateError {
  override name = 'DatabaseInUseError';
  constructor(path: string) {
    super(
      'database_in_use',
      `${path} is open in another program (a sqlite3 shell or a backup tool?). The daemon holds its database alone while it runs; close that program and start the daemon again.`,
    );
  }
}

function configure(db: Database, log: ((message: string) => void) | undefined): void {
  // Before anything reads the file. The first read opens the WAL and takes the file's exclusive lock, held until
  // close: a program that has the file open makes it wait (IN_USE_WAIT_MS), then fail with SQLITE_BUSY.
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Savepoint journals (group commit gives each unit its own savepoint) stay in memory, not in temp files:
  // a savepoint only needs to survive until its transaction ends, and a crash rolls the transaction back anyway.
  db.pragma('temp_store = MEMORY');
  // The page cache, bounded: better-sqlite3 builds SQLite with a 16 MB default, which the cache fills as the file
  // grows and keeps, and which alone would take the daemon past its 100 MB budget (bench/README.md, soak). The
  // hot paths touch a few pages each; a miss is a read from the OS's own cache of the file.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  migrate(db, log);
}

/**
 * Gives the function to call after every commit: when SQLite's automatic checkpoint (every 1,000 pages) has just
 * copied the WAL into the main file, it starts the WAL over at once with a one-page write. SQLite itself would
 * start it over only at the next write, and leaves the copied pages in the WAL until then. A crash in that gap
 * leaves a WAL whose every page is already in the main file, and older than it; if that WAL then loses its tail
 * (a disk that drops writes it had acknowledged; daemon/test/crash), SQLite replays what is left over the newer
 * pages, and checkpointed revocations come undone. Started over, the WAL's header has new salts, so recovery
 * ignores every older page still in the file, and losing any tail of it only loses the newest commits.
 *
 * How it knows: in WAL mode only a checkpoint writes the main file, so its modification time moves. The WAL is
 * started over, not emptied: a WAL truncated to nothing makes every later commit grow the file, and ext4 then
 * journals the new size at each fsync (1.4x the time per commit here; bench/README.md, "A slower host").
 * Costs a `stat` per commit (a commit already costs an fsync). An in-memory database has no WAL: no-op.
 */
export function walCheckpointer(db: Database): () => void {
  if (db.memory) return () => {};
  const path = db.name;
  let copiedAt = statSync(path).mtimeMs;
  return () => {
    if (db.inTransaction) return;
    const at = statSync(path).mtimeMs;
    if (at === copiedAt) return;
    copiedAt = at;
    try {
      db.pragma(`user_version = ${db.pragma('user_version', { simple: true }) as number}`); // rewrites one page: a write
    } catch {
      // the commit is durable either way; the next checkpoint tries again
    }
  };
}
