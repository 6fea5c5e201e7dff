import type { Database } from 'better-sqlite3';
import { MandateError } from '#shared/errors.js';
import { sql as m001 } from './migrations/001_initial.js';
import { sql as m002 } from './migrations/002_external_grants.js';
import { sql as m003 } from './migrations/003_audit_export.js';
import { sql as m004 } from './migrations/004_audit_head.js';
import { sql as m005 } from './migrations/005_dpop_binding.js';
import { sql as m006 } from './migrations/006_asked_duration.js';
import { sql as m007 } from './migrations/007_revocation_feed.js';
import { sql as m008 } from './migrations/008_authorization_code.js';
import { sql as m009 } from './migrations/009_scale_indexes.js';
import { sql as m010 } from './migrations/010_audit_filter_indexes.js';
import { sql as m011 } from './migrations/011_pending_deadline_index.js';

/** Numbered migrations; index + 1 is the `user_version` after applying. Append only, never edit. */
export const MIGRATIONS: readonly string[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011];

/** The database was written by a newer Mandate: refuse to touch it, and say so without a stack. */
export class MigrationError extends MandateError {
  override name = 'MigrationError';
  constructor(message: string) {
    super('database_newer', message);
  }
}

/**
 * Applies pending migrations, each in its own transaction with the version bump. Upgrading an existing database
 * (not creating one) is said through `log` first: an index rebuild over a large audit trail takes a while, and
 * the daemon does not answer until it is done.
 */
export function migrate(db: Database, log?: (message: string) => void): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new MigrationError(`database schema version ${current} is newer than this Mandate (${MIGRATIONS.length}); upgrade Mandate instead of downgrading`);
  }
  if (current > 0 && current < MIGRATIONS.length) {
    log?.(`upgrading the database from schema ${current} to ${MIGRATIONS.length}, once; with a large audit trail this can take a minute`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const apply = db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    });
    apply.immediate();
  }
  return MIGRATIONS.length;
}
