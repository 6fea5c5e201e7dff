import type { Database } from 'better-sqlite3';
import type { GrantRecord } from './grants.repo.js';

/**
 * The token check on every introspection, which needs only whether the grant is live: the same two key lookups as
 * the exchange's check, three columns, no join to clients (half the cost of the whole record); pinned by
 * query-plans.test.ts.
 */
export const TOKEN_LIVENESS_SQL = 'SELECT g.id, g.status, g.expires_at FROM tokens t JOIN grants g ON g.id = t.grant_id WHERE t.jti = ?';

/** What deciding whether a token is active needs of its grant. */
export type GrantLiveness = Readonly<Pick<GrantRecord, 'id' | 'status' | 'expires_at'>>;

/**
 * How many tokens' liveness is remembered (about 250 bytes each); a token past it is read from the file again. As
 * many as the verifier remembers verified tokens (tokens/verify.ts): a token it has to verify afresh costs a
 * signature check, beside which the read does not count.
 */
export const LIVENESS_KEPT = 2048;

/** The SQL function the triggers below call; registered on the connection, so it exists only while the daemon runs. */
const FORGET = 'mandate_liveness_forget';

/**
 * SQLite tells the cache of every row change that could change what TOKEN_LIVENESS_SQL answers: any insert, update
 * or delete of a token or a grant, whatever statement made it. An update names the row's key before and after.
 * The triggers are TEMP: they belong to this connection, are never written to the file, and go with it. Every
 * update of a grant fires, whatever column it sets, so a column that liveness may one day read cannot be missed;
 * the price is that a grant's renewal (`last_used_at`) also forgets its tokens. Inserts fire too: an `INSERT OR
 * REPLACE` deletes the row it replaces without a delete trigger.
 */
const TRIGGERS = `
  CREATE TEMP TRIGGER IF NOT EXISTS mandate_liveness_token_insert AFTER INSERT ON main.tokens
    BEGIN SELECT ${FORGET}('token', NEW.jti); END;
  CREATE TEMP TRIGGER IF NOT EXISTS mandate_liveness_token_update AFTER UPDATE ON main.tokens
    BEGIN SELECT ${FORGET}('token', OLD.jti), ${FORGET}('token', NEW.jti); END;
  CREATE TEMP TRIGGER IF NOT EXISTS mandate_liveness_token_delete AFTER DELETE ON main.tokens
    BEGIN SELECT ${FORGET}('token', OLD.jti); END;
  CREATE TEMP TRIGGER IF NOT EXISTS mandate_liveness_grant_insert AFTER INSERT ON main.grants
    BEGIN SELECT ${FORGET}('grant', NEW.id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS mandate_liveness_grant_update AFTER UPDATE ON main.grants
    BEGIN SELECT ${FORGET}('grant', OLD.id), ${FORGET}('grant', NEW.id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS mandate_liveness_grant_delete AFTER DELETE ON main.grants
    BEGIN SELECT ${FORGET}('grant', OLD.id); END;`;

/** One cache per connection: a second repository on the same connection must not re-register the function away from the first's cache. */
const caches = new WeakMap<Database, (jti: string) => GrantLiveness | undefined>();

/**
 * TOKEN_LIVENESS_SQL, answered from memory while nothing it reads has changed. A resource server introspects the
 * same token on every call it gets, and under load the read from the file cost about a sixth of an introspection's
 * CPU, though it takes 1.5 µs in a loop (bench/README.md, "The liveness read, remembered").
 *
 * A revocation is still seen by the very next introspection: SQLite itself, through the triggers above, forgets a
 * token's entry in the statement that changes its row or its grant's, before that statement returns. Nothing in
 * the daemon has to remember to clear it, and a write the triggers do not know cannot happen on this connection:
 * the daemon holds the file alone (db.ts), and a trigger whose function is missing fails the write.
 *
 * Only committed rows are remembered: a read inside a transaction goes to the file and is not kept, so what a
 * transaction later rolls back was never in the cache, and what it changed before rolling back was forgotten.
 * Time is not remembered: the caller compares `expires_at` with its clock on every call.
 */
export function livenessReader(db: Database): (jti: string) => GrantLiveness | undefined {
  const existing = caches.get(db);
  if (existing) return existing;
  // triggers created inside a transaction would go with its rollback, and leave a cache that nothing clears
  if (db.inTransaction) throw new Error('the liveness cache is set up outside a transaction');

  const read = db.prepare<[string], GrantLiveness>(TOKEN_LIVENESS_SQL);
  const byJti = new Map<string, GrantLiveness>();
  const jtisByGrant = new Map<string, Set<string>>();

  const forgetToken = (jti: string): void => {
    const entry = byJti.get(jti);
    if (entry === undefined) return;
    byJti.delete(jti);
    const jtis = jtisByGrant.get(entry.id);
    jtis?.delete(jti);
    if (jtis?.size === 0) jtisByGrant.delete(entry.id);
  };
  const forgetGrant = (id: string): void => {
    const jtis = jtisByGrant.get(id);
    if (jtis === undefined) return;
    jtisByGrant.delete(id);
    for (const jti of jtis) byJti.delete(jti);
  };
  db.function(FORGET, { deterministic: false }, (kind: unknown, key: unknown) => {
    if (typeof key !== 'string') throw new TypeError(`${FORGET}: key must be text`);
    if (kind === 'token') forgetToken(key);
    else if (kind === 'grant') forgetGrant(key);
    else throw new TypeError(`${FORGET}: unknown kind`);
    return null;
  });
  db.exec(TRIGGERS);

  const remember = (jti: string, row: GrantLiveness): void => {
    if (byJti.size >= LIVENESS_KEPT) forgetToken(byJti.keys().next().value!);
    byJti.set(jti, row);
    const jtis = jtisByGrant.get(row.id);
    if (jtis === undefined) jtisByGrant.set(row.id, new Set([jti]));
    else jtis.add(jti);
  };

  const reader = (jti: string): GrantLiveness | undefined => {
    if (db.inTransaction) return read.get(jti);
    const known = byJti.get(jti);
    if (known !== undefined) return known;
    const row = read.get(jti);
    if (row !== undefined) remember(jti, Object.freeze(row));
    return row;
  };
  caches.set(db, reader);
  return reader;
}
