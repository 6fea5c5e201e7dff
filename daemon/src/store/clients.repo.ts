import type { Database } from 'better-sqlite3';
import type { ClientKind } from '#shared/admin-api.js';
import { onFirstUse } from './first-use.js';

export interface ClientRecord {
  client_id: string;
  kind: ClientKind;
  name: string;
  secret_hash: Buffer;
  scopes: string[];
  resources: string[];
  created_at: number;
}

interface ClientRow extends Omit<ClientRecord, 'scopes' | 'resources'> {
  scopes: string;
  resources: string;
}

const toRecord = (row: ClientRow): ClientRecord => ({
  ...row,
  scopes: JSON.parse(row.scopes) as string[],
  resources: JSON.parse(row.resources) as string[],
});

const COLUMNS = 'client_id, kind, name, secret_hash, scopes, resources, created_at';

export function clientsRepo(db: Database) {
  const insert = onFirstUse(() =>
    db.prepare(`INSERT INTO clients (${COLUMNS}) VALUES (@client_id, @kind, @name, @secret_hash, @scopes, @resources, @created_at)`),
  );
  const byId = onFirstUse(() => db.prepare<[string], ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE client_id = ? AND removed_at IS NULL`));
  const all = onFirstUse(() => db.prepare<[], ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE removed_at IS NULL ORDER BY created_at, client_id`));
  const remove = onFirstUse(() => db.prepare<[number, string]>('UPDATE clients SET removed_at = ? WHERE client_id = ? AND removed_at IS NULL'));
  let generation = 0;
  // Client records by id, for client authentication on every token and introspection request. Every write
  // through this repository clears it; the other writer (registrations.repo, through clients/mcp-clients.ts)
  // calls `changedElsewhere` after its writes.
  const cache = new Map<string, ClientRecord>();
  const changed = (): void => {
    generation++;
    cache.clear();
  };

  return {
    /**
     * Changes with every write through this repository, so views derived from the agents and resource servers
     * added or removed here (the metadata's scopes, the registered resources) can be cached until it moves.
     * A write rolled back still moves it, which only costs a recomputation.
     */
    generation: (): number => generation,
    /** Another repository wrote client rows (an MCP registration saved or refreshed): drop what is cached. */
    changedElsewhere: changed,
    insert(rec: ClientRecord): void {
      changed();
      insert().run({ ...rec, scopes: JSON.stringify(rec.scopes), resources: JSON.stringify(rec.resources) });
    },
    get(clientId: string): ClientRecord | undefined {
      const hit = cache.get(clientId);
      if (hit) return hit;
      const row = byId().get(clientId);
      if (!row) return undefined;
      // frozen: one record is shared by every caller until the next write
      const parsed = toRecord(row);
      const rec = Object.freeze({ ...parsed, scopes: Object.freeze(parsed.scopes) as string[], resources: Object.freeze(parsed.resources) as string[] });
      if (cache.size >= 10_000) cache.clear(); // bounded; a miss only costs a read
      cache.set(clientId, rec);
      return rec;
    },
    list(): ClientRecord[] {
      return all().all().map(toRecord);
    },
    /** Soft delete: the row stays so past grants and audit rows keep their agent's name. */
    remove(clientId: string, now: number): boolean {
      changed();
      return remove().run(now, clientId).changes === 1;
    },
  };
}
export type ClientsRepo = ReturnType<typeof clientsRepo>;
