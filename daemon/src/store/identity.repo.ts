import type { Database } from 'better-sqlite3';

/** The daemon's one identity key pair (pairing/identity.ts), as JWK JSON text. */
export function identityRepo(db: Database) {
  const read = db.prepare<[], { private_jwk: string; public_jwk: string }>('SELECT private_jwk, public_jwk FROM daemon_identity WHERE id = 1');
  const insert = db.prepare<[string, string, number]>('INSERT OR IGNORE INTO daemon_identity (id, private_jwk, public_jwk, created_at) VALUES (1, ?, ?, ?)');
  return {
    read: () => read.get(),
    /** Stores the key pair unless one is already there (the first writer wins). */
    insertOnce: (privateJwk: string, publicJwk: string, createdAt: number) => void insert.run(privateJwk, publicJwk, createdAt),
  };
}
