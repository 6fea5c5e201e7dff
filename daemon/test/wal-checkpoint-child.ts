/**
 * Child process for wal-checkpoint.test.ts: opens a database as the daemon does, commits through the daemon's
 * transactor until SQLite's automatic checkpoint has copied the WAL into the main file, prints the row count, and
 * is killed (-9) at once, before another commit could start the WAL over.
 */
import { statSync } from 'node:fs';
import { eventBus, transactor } from '../src/events.js';
import { openDatabase } from '../src/store/db.js';

const path = process.argv[2]!;
const db = openDatabase(path);
db.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
const tx = transactor(db, eventBus());
const insert = db.prepare('INSERT INTO filler (v) VALUES (?)');
const mainSize = statSync(path).size;
let rows = 0;
while (statSync(path).size < mainSize + 1_000_000 && rows < 100_000) {
  tx.transact(() => insert.run('x'.repeat(3000)));
  rows++;
}
process.stdout.write(`${JSON.stringify({ rows })}\n`);
process.kill(process.pid, 'SIGKILL');
