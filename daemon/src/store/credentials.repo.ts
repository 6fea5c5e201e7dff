import type { Database } from 'better-sqlite3';
import type { CredentialView } from '#shared/admin-api.js';
import { onFirstUse } from './first-use.js';

export interface CredentialRecord extends CredentialView {
  secret_hash: Buffer;
  /** RFC 7638 thumbprint of the extension's proof key; null for the CLI credential. */
  jkt: string | null;
}

const COLUMNS = 'id, label, kind, origin, secret_hash, jkt, created_at, last_used_at, revoked_at';

/** Admin credentials (the CLI's and each paired extension's) and the one-time pairing codes that mint them. */
export function credentialsRepo(db: Database) {
  const insert = onFirstUse(() =>
    db.prepare(
      `INSERT INTO admin_credentials (id, label, kind, origin, secret_hash, jkt, created_at)
     VALUES (@id, @label, @kind, @origin, @secret_hash, @jkt, @created_at)`,
    ),
  );
  const byHash = onFirstUse(() =>
    db.prepare<[Buffer], CredentialRecord>(`SELECT ${COLUMNS} FROM admin_credentials WHERE secret_hash = ? AND revoked_at IS NULL`),
  );
  const active = onFirstUse(() => db.prepare<[string], { id: string }>('SELECT id FROM admin_credentials WHERE id = ? AND revoked_at IS NULL'));
  const list = onFirstUse(() => db.prepare<[], CredentialRecord>(`SELECT ${COLUMNS} FROM admin_credentials ORDER BY created_at, id`));
  const touch = onFirstUse(() => db.prepare<[number, string]>('UPDATE admin_credentials SET last_used_at = ? WHERE id = ?'));
  const revoke = onFirstUse(() => db.prepare<[number, string]>('UPDATE admin_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'));
  const revokeKind = onFirstUse(() => db.prepare<[number, string]>('UPDATE admin_credentials SET revoked_at = ? WHERE kind = ? AND revoked_at IS NULL'));
  const insertCode = onFirstUse(() => db.prepare<[Buffer, number, number]>('INSERT INTO pairing_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)'));
  const useCode = onFirstUse(() =>
    db.prepare<[number, Buffer, number], { code_hash: Buffer }>(
      'UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING code_hash',
    ),
  );
  const dropCodes = onFirstUse(() => db.prepare<[number]>('DELETE FROM pairing_codes WHERE expires_at <= ? OR used_at IS NOT NULL'));
  const dropAllCodes = onFirstUse(() => db.prepare('DELETE FROM pairing_codes'));

  return {
    insert(rec: Omit<CredentialRecord, 'last_used_at' | 'revoked_at'>): void {
      insert().run(rec);
    },
    findActiveByHash: (hash: Buffer) => byHash().get(hash),
    list: () => list().all(),
    isActive: (id: string) => active().get(id) !== undefined,
    touch: (id: string, now: number) => void touch().run(now, id),
    revoke: (id: string, now: number) => revoke().run(now, id).changes === 1,
    revokeKind: (kind: 'cli' | 'extension', now: number) => revokeKind().run(now, kind).changes,
    addCode: (hash: Buffer, now: number, expiresAt: number) => void insertCode().run(hash, now, expiresAt),
    /** Consumes a code in one conditional statement: a code works once, and only before it expires. */
    consumeCode: (hash: Buffer, now: number) => useCode().get(now, hash, now) !== undefined,
    pruneCodes: (now: number) => void dropCodes().run(now),
    dropAllCodes: () => void dropAllCodes().run(),
  };
}
export type CredentialsRepo = ReturnType<typeof credentialsRepo>;
