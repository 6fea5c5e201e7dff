/** What the repository tests start from: a real database file with one agent, and that agent's pending grants. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../src/crypto.js';
import { clientsRepo } from '../src/store/clients.repo.js';
import { openDatabase, type Database } from '../src/store/db.js';
import type { NewGrant } from '../src/store/grants.repo.js';

/** A fresh database file in its own temporary directory (the caller closes it and removes `dir`), holding agent `agt_1`. */
export function databaseWithAgent(): { dir: string; db: Database } {
  const dir = mkdtempSync(join(tmpdir(), 'mandate-repo-'));
  const db = openDatabase(join(dir, 'm.db'));
  clientsRepo(db).insert({ client_id: 'agt_1', kind: 'agent', name: 'A', secret_hash: sha256('x'), scopes: ['s'], resources: ['https://r/'], created_at: 0 });
  return { dir, db };
}

/** A request by `agt_1` for scope `s`, open until 50 and asking for 100 s. */
export function pendingGrant(id: string): NewGrant {
  return {
    id,
    auth_req_hash: sha256(id),
    client_id: 'agt_1',
    sub: 'p',
    resource: 'https://r/',
    binding_message: null,
    requested_scope: ['s'],
    requested_duration: 100,
    asked_duration: 100,
    authorization_details: null,
    created_at: 0,
    request_expires_at: 50,
    poll_interval: 5,
  };
}

/** Who decided, when and how, for approve and deny. */
export const decision = { at: 1, by: 'p', via: 'test' };
