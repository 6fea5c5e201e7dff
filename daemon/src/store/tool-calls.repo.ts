import type { Database } from 'better-sqlite3';
import type { ToolCallView } from '#shared/resource-server.js';
import { onFirstUse } from './first-use.js';

export interface NewToolCall {
  reporter: string;
  id: string;
  grant_id: string;
  tool: string;
  outcome: 'allowed' | 'refused';
  reason: string | null;
  at: number;
  received_at: number;
}

/** Tool-call decisions reported by resource servers; (reporter, id) is unique, so a re-sent report is a no-op. */
export function toolCallsRepo(db: Database) {
  const insert = onFirstUse(() =>
    db.prepare<NewToolCall>(
      `INSERT INTO tool_calls (reporter, id, grant_id, tool, outcome, reason, at, received_at)
     VALUES (@reporter, @id, @grant_id, @tool, @outcome, @reason, @at, @received_at) ON CONFLICT DO NOTHING`,
    ),
  );
  const forGrant = onFirstUse(() =>
    db.prepare<{ grant_id: string; limit: number }, ToolCallView>(
      `SELECT id, grant_id, tool, outcome, reason, at FROM tool_calls WHERE grant_id = @grant_id ORDER BY at DESC, received_at DESC LIMIT @limit`,
    ),
  );
  return {
    /** True when recorded, false when this reporter already sent this id. */
    insertIfNew: (c: NewToolCall): boolean => insert().run(c).changes === 1,
    /** Newest first. */
    forGrant: (grantId: string, limit: number): ToolCallView[] => forGrant().all({ grant_id: grantId, limit }),
  };
}
export type ToolCallsRepo = ReturnType<typeof toolCallsRepo>;
