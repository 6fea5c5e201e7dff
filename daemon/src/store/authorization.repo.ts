import type { Database } from 'better-sqlite3';
import { onFirstUse } from './first-use.js';

/** The browser side of a pending /authorize request: where the tab goes back once the person decides. */
export interface AuthorizeRequestRecord {
  grant_id: string;
  redirect_uri: string;
  state: string | null;
  code_challenge: string;
  issuer: string;
  answered_at: number | null;
}

export interface CodeRecord {
  grant_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  resource: string;
  expires_at: number;
  used_at: number | null;
}

export interface RefreshRecord {
  grant_id: string;
  client_id: string;
  created_at: number;
  used_at: number | null;
}

/** Authorization requests, single-use codes and rotating refresh tokens; codes and tokens only as hashes. */
export function authorizationRepo(db: Database) {
  const insertRequest = onFirstUse(() =>
    db.prepare(
      `INSERT INTO authorize_requests (grant_id, wait_hash, redirect_uri, state, code_challenge, issuer)
     VALUES (@grant_id, @wait_hash, @redirect_uri, @state, @code_challenge, @issuer)`,
    ),
  );
  const requestByWait = onFirstUse(() =>
    db.prepare<[Buffer], AuthorizeRequestRecord>(
      'SELECT grant_id, redirect_uri, state, code_challenge, issuer, answered_at FROM authorize_requests WHERE wait_hash = ?',
    ),
  );
  const answer = onFirstUse(() =>
    db.prepare<[number, string], { grant_id: string }>(
      'UPDATE authorize_requests SET answered_at = ? WHERE grant_id = ? AND answered_at IS NULL RETURNING grant_id',
    ),
  );
  const insertCode = onFirstUse(() =>
    db.prepare(
      `INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, resource, expires_at)
     VALUES (@code_hash, @grant_id, @client_id, @redirect_uri, @code_challenge, @resource, @expires_at)`,
    ),
  );
  const codeByHash = onFirstUse(() =>
    db.prepare<[Buffer], CodeRecord>(
      'SELECT grant_id, client_id, redirect_uri, code_challenge, resource, expires_at, used_at FROM authorization_codes WHERE code_hash = ?',
    ),
  );
  const useCode = onFirstUse(() =>
    db.prepare<[number, Buffer], { grant_id: string }>('UPDATE authorization_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL RETURNING grant_id'),
  );
  const insertRefresh = onFirstUse(() =>
    db.prepare<[Buffer, string, string, number]>('INSERT INTO refresh_tokens (token_hash, grant_id, client_id, created_at) VALUES (?, ?, ?, ?)'),
  );
  const refreshByHash = onFirstUse(() =>
    db.prepare<[Buffer], RefreshRecord>('SELECT grant_id, client_id, created_at, used_at FROM refresh_tokens WHERE token_hash = ?'),
  );
  const useRefresh = onFirstUse(() =>
    db.prepare<[number, Buffer], { grant_id: string }>('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL RETURNING grant_id'),
  );
  const issuedRefresh = onFirstUse(() => db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM refresh_tokens WHERE grant_id = ?'));

  return {
    insertRequest: (r: Omit<AuthorizeRequestRecord, 'answered_at'> & { wait_hash: Buffer }) => void insertRequest().run(r),
    requestByWait: (hash: Buffer) => requestByWait().get(hash),
    /** The tab goes back to the client once: true for the first caller only. */
    answer: (grantId: string, now: number) => answer().get(now, grantId) !== undefined,
    insertCode: (c: Omit<CodeRecord, 'used_at'> & { code_hash: Buffer }) => void insertCode().run(c),
    code: (hash: Buffer) => codeByHash().get(hash),
    /** Single use in one conditional statement: true for the first redemption only. */
    useCode: (hash: Buffer, now: number) => useCode().get(now, hash) !== undefined,
    insertRefresh: (hash: Buffer, grantId: string, clientId: string, now: number) => void insertRefresh().run(hash, grantId, clientId, now),
    refresh: (hash: Buffer) => refreshByHash().get(hash),
    useRefresh: (hash: Buffer, now: number) => useRefresh().get(now, hash) !== undefined,
    refreshCount: (grantId: string) => issuedRefresh().get(grantId)?.n ?? 0,
  };
}
export type AuthorizationRepo = ReturnType<typeof authorizationRepo>;
