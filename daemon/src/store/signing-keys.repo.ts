import type { Database } from 'better-sqlite3';

export interface SigningKeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
}

/** Token signing keys (JWKs as JSON text) in the 0600 database; retired keys keep `retired_at`. */
export function signingKeysRepo(db: Database) {
  const active = db.prepare<[], SigningKeyRow>(
    'SELECT kid, private_jwk, public_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
  );
  const insert = db.prepare<[string, string, string, string, number]>(
    'INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const published = db.prepare<[number], { public_jwk: string }>(
    'SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL OR retired_at > ? ORDER BY retired_at IS NOT NULL, created_at DESC',
  );
  return {
    /** The newest key not retired. */
    active: (): SigningKeyRow | undefined => active.get(),
    insert: (k: SigningKeyRow & { alg: string; created_at: number }) => void insert.run(k.kid, k.alg, k.private_jwk, k.public_jwk, k.created_at),
    /** Public JWKs to publish: live keys first, then keys retired after `retiredAfter` (their tokens may still be live). */
    published: (retiredAfter: number): string[] => published.all(retiredAfter).map((r) => r.public_jwk),
  };
}
