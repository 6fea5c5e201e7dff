import type { Database } from 'better-sqlite3';

/** Only `jti`, grant id and expiry of issued tokens are kept, never the tokens (the check joins them: grants.repo getByTokenJti). */
export function tokensRepo(db: Database) {
  const insert = db.prepare<[string, string, number]>('INSERT INTO tokens (jti, grant_id, expires_at) VALUES (?, ?, ?)');
  const purge = db.prepare<[number]>('DELETE FROM tokens WHERE expires_at <= ?');
  return {
    insert: (jti: string, grantId: string, expiresAt: number) => void insert.run(jti, grantId, expiresAt),
    /** Forget tokens that expired before `cutoff`: an expired token is inactive whether or not its row remains. */
    purgeExpired: (cutoff: number) => purge.run(cutoff).changes,
  };
}
export type TokensRepo = ReturnType<typeof tokensRepo>;
