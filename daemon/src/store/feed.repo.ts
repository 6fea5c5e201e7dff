import type { Database } from 'better-sqlite3';
import type { FeedGrantEvent } from '#shared/resource-server.js';
import { onFirstUse } from './first-use.js';

export interface FeedRow extends FeedGrantEvent {
  seq: number;
}

/** Reads the revocation feed (table `grant_endings`, filled by a trigger on grants; see migration 006). */
export function feedRepo(db: Database) {
  const head = onFirstUse(() => db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM grant_endings'));
  const since = onFirstUse(() =>
    db.prepare<{ resources: string; after: number; upto: number; from_at: number }, FeedRow>(
      `SELECT seq, grant_id, status, at FROM grant_endings
     WHERE seq > @after AND seq <= @upto AND at >= @from_at AND resource IN (SELECT value FROM json_each(@resources))
     ORDER BY seq`,
    ),
  );
  return {
    /** The newest sequence number, 0 when nothing has ended yet. */
    head: (): number => head().get()?.seq ?? 0,
    /** Endings for these resources after `after`, up to `upto`, that happened at or after `fromAt`. */
    since: (resources: readonly string[], after: number, upto: number, fromAt: number): FeedRow[] =>
      since().all({ resources: JSON.stringify(resources), after, upto, from_at: fromAt }),
  };
}
export type FeedRepo = ReturnType<typeof feedRepo>;
