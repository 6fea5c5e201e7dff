import type { Database } from 'better-sqlite3';
import { onFirstUse } from './first-use.js';

/** How an MCP client came to exist, besides `mandate agents add` (those have no row here). */
export interface RegistrationRecord {
  client_id: string;
  source: 'metadata_document' | 'dynamic';
  public: boolean;
  client_name: string | null;
  redirect_uris: string[];
  logo_uri: string | null;
  client_uri: string | null;
  fetched_at: number | null;
  created_at: number;
  last_used_at: number | null;
}

type Row = Omit<RegistrationRecord, 'public' | 'redirect_uris'> & { public: number; redirect_uris: string };

const toRecord = (r: Row): RegistrationRecord => ({ ...r, public: r.public === 1, redirect_uris: JSON.parse(r.redirect_uris) as string[] });

const COLUMNS = 'r.client_id, r.source, r.public, r.client_name, r.redirect_uris, r.logo_uri, r.client_uri, r.fetched_at, r.created_at, r.last_used_at';

export function registrationsRepo(db: Database) {
  const byId = onFirstUse(() =>
    db.prepare<[string], Row>(
      `SELECT ${COLUMNS} FROM client_registrations r JOIN clients c ON c.client_id = r.client_id WHERE r.client_id = ? AND c.removed_at IS NULL`,
    ),
  );
  const upsertClient = onFirstUse(() =>
    db.prepare<{ client_id: string; name: string; secret_hash: Buffer; created_at: number }>(
      `INSERT INTO clients (client_id, kind, name, secret_hash, scopes, resources, created_at)
     VALUES (@client_id, 'agent', @name, @secret_hash, '[]', '[]', @created_at)
     ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, removed_at = NULL`,
    ),
  );
  const upsert = onFirstUse(() =>
    db.prepare(
      `INSERT INTO client_registrations (client_id, source, public, client_name, redirect_uris, logo_uri, client_uri, fetched_at, created_at)
     VALUES (@client_id, @source, @public, @client_name, @redirect_uris, @logo_uri, @client_uri, @fetched_at, @created_at)
     ON CONFLICT (client_id) DO UPDATE SET client_name = excluded.client_name, redirect_uris = excluded.redirect_uris,
       logo_uri = excluded.logo_uri, client_uri = excluded.client_uri, fetched_at = excluded.fetched_at`,
    ),
  );
  const touch = onFirstUse(() => db.prepare<[number, string]>('UPDATE client_registrations SET last_used_at = ? WHERE client_id = ?'));
  const unused = onFirstUse(() =>
    db.prepare<{ cutoff: number; now: number }, { client_id: string }>(
      `SELECT r.client_id FROM client_registrations r JOIN clients c ON c.client_id = r.client_id
     WHERE r.source = 'dynamic' AND c.removed_at IS NULL AND COALESCE(r.last_used_at, r.created_at) < @cutoff
       AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.client_id = r.client_id
                       AND ((g.status = 'approved' AND g.expires_at > @now) OR (g.status = 'pending' AND g.request_expires_at > @now)))`,
    ),
  );
  const countDynamic = onFirstUse(() =>
    db.prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM client_registrations r JOIN clients c ON c.client_id = r.client_id WHERE r.source = 'dynamic' AND c.removed_at IS NULL`,
    ),
  );

  return {
    get(clientId: string): RegistrationRecord | undefined {
      const row = byId().get(clientId);
      return row && toRecord(row);
    },
    /** Creates (or refreshes) the client row and its registration; must run inside a transaction. */
    save(rec: Omit<RegistrationRecord, 'last_used_at'>, name: string, secretHash: Buffer): void {
      upsertClient().run({ client_id: rec.client_id, name, secret_hash: secretHash, created_at: rec.created_at });
      upsert().run({ ...rec, public: rec.public ? 1 : 0, redirect_uris: JSON.stringify(rec.redirect_uris) });
    },
    touch: (clientId: string, now: number) => void touch().run(now, clientId),
    /** Dynamically registered clients unused since `cutoff` with nothing live or pending. */
    unused: (cutoff: number, now: number) =>
      unused()
        .all({ cutoff, now })
        .map((r) => r.client_id),
    countDynamic: () => countDynamic().get()?.n ?? 0,
  };
}
export type RegistrationsRepo = ReturnType<typeof registrationsRepo>;
