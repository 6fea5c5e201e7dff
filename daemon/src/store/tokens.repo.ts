import type { Database } from 'better-sqlite3';

/** Only `jti`, grant id and expiry of issued tokens are kept, never the tokens. */
export function tokensRepo(db: Database) {
  const insert = db.prepare<[string, string, number]>('INSERT INTO tokens (jti, grant_id, expires_at) VALUES (?, ?, ?)');
  const get = db.prepare<[string], { grant_id: string; expires_at: number }>('SELECT grant_id, expires_at FROM tokens WHERE jti = ?');
  const purge = db.prepare<[number]>('DELETE FROM tokens WHERE expires_at <= ?');
  return {
    insert: (jti: string, grantId: string, expiresAt: number) => void insert.run(jti, grantId, expiresAt),
    get: (jti: string) => get.get(jti),
    /** Forget tokens that expired before `cutoff`: an expired token is inactive whether or not its row remains. */
    purgeExpired: (cutoff: number) => purge.run(cutoff).changes,
  };
}
export type TokensRepo = ReturnType<typeof tokensRepo>;
