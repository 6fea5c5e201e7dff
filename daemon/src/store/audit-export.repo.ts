import type { Database } from 'better-sqlite3';

/** The one-row export cursor (audit_export): the last row the collector accepted, and the latest attempt. */
export interface ExportState {
  last_exported_id: number;
  last_exported_hash: string | null;
  last_success_at: number | null;
  last_error: string | null;
  last_attempt_at: number | null;
}

/** SQL of the export cursor (audit/export.ts decides when it moves). */
export function auditExportRepo(db: Database) {
  db.prepare('INSERT OR IGNORE INTO audit_export (id, last_exported_id) VALUES (1, 0)').run();
  const read = db.prepare<[], ExportState>(
    'SELECT last_exported_id, last_exported_hash, last_success_at, last_error, last_attempt_at FROM audit_export WHERE id = 1',
  );
  const advance = db.prepare<{ from: number; to: number; hash: string; now: number }>(
    'UPDATE audit_export SET last_exported_id = @to, last_exported_hash = @hash, last_success_at = @now, last_attempt_at = @now, last_error = NULL WHERE id = 1 AND last_exported_id = @from',
  );
  const restart = db.prepare<{ from: number }>(
    'UPDATE audit_export SET last_exported_id = 0, last_exported_hash = NULL WHERE id = 1 AND last_exported_id = @from',
  );
  const failure = db.prepare<{ error: string; now: number }>('UPDATE audit_export SET last_error = @error, last_attempt_at = @now WHERE id = 1');
  return {
    read: () => read.get(),
    /** Moves the cursor from `from` to `to` after a 2xx (only if nobody moved it meanwhile). */
    advance: (from: number, to: number, hash: string, now: number) => void advance.run({ from, to, hash, now }),
    /** Back to the start of the trail (it was rewound under the cursor). */
    restart: (from: number) => void restart.run({ from }),
    recordFailure: (error: string, now: number) => void failure.run({ error, now }),
  };
}

/**
 * After the start-up check found the trail truncated to `lastId`: moves an export cursor that is beyond it
 * back to it, so rows that reuse the deleted ids are exported. Returns the old cursor when it moved.
 */
export function rewindExportCursor(db: Database, lastId: number): number | undefined {
  const row = db.prepare<[], { last_exported_id: number }>('SELECT last_exported_id FROM audit_export WHERE id = 1').get();
  if (!row || row.last_exported_id <= lastId) return undefined;
  db.prepare<{ to: number }>('UPDATE audit_export SET last_exported_id = @to, last_exported_hash = (SELECT hash FROM audit WHERE id = @to) WHERE id = 1').run({
    to: lastId,
  });
  return row.last_exported_id;
}
