import { Hono } from 'hono';
import { TOOL_CALLS_PATH, toolCallBatch, type ToolCallBatchResult } from '#shared/resource-server.js';
import type { AuditInput } from '../audit/log.js';
import type { DaemonContext } from '../context.js';
import { grantAudit } from '../grants/service.js';
import type { AuthenticateClient } from '../http/client-auth.js';
import { readJson } from '../http/json.js';
import type { GrantRecord } from '../store/grants.repo.js';
import { toolCallsRepo } from '../store/tool-calls.repo.js';
import { authenticateResourceServer } from './resource-server-auth.js';

/**
 * `POST /tool-calls`: a resource server reports its decisions, in order, at least once. Each new call becomes a
 * `tool.called` / `tool.refused` audit row and an allowed one stamps the grant's last use, in one durable
 * transaction (one per batch, each grant looked up and stamped once); a call id this resource server already sent is counted as a duplicate and changes nothing.
 * Calls on grants outside its audiences are rejected one by one (never recorded), so one bad entry cannot
 * block the rest of its queue.
 */
export function toolCallsRoute(ctx: DaemonContext, authenticateClient: AuthenticateClient) {
  const calls = toolCallsRepo(ctx.db);
  return new Hono().post(TOOL_CALLS_PATH, async (c) => {
    const reporter = authenticateResourceServer(c, authenticateClient);
    const batch = await readJson(c, toolCallBatch);
    const result: ToolCallBatchResult = { recorded: 0, duplicates: 0, rejected: [] };
    ctx.tx.transact(() => {
      const now = ctx.clock();
      // a batch is mostly calls of a few grants: look each up once, stamp each used grant once
      const grants = new Map<string, GrantRecord | undefined>();
      const used = new Set<string>();
      const rows: AuditInput[] = [];
      for (const call of batch.calls) {
        if (!grants.has(call.grant_id)) {
          const found = ctx.grants.get(call.grant_id);
          grants.set(call.grant_id, found && reporter.resources.includes(found.resource) ? found : undefined);
        }
        const g = grants.get(call.grant_id);
        if (!g) {
          result.rejected.push({ id: call.id, error: 'unknown grant for this resource server' });
          continue;
        }
        const fresh = calls.insertIfNew({
          reporter: reporter.client_id,
          id: call.id,
          grant_id: g.id,
          tool: call.tool,
          outcome: call.outcome,
          reason: call.reason ?? null,
          at: call.at,
          received_at: now,
        });
        if (!fresh) {
          result.duplicates++;
          continue;
        }
        result.recorded++;
        const allowed = call.outcome === 'allowed';
        rows.push(
          grantAudit(g, {
            type: allowed ? 'tool.called' : 'tool.refused',
            outcome: allowed ? 'ok' : 'refused',
            scopes: g.approved_scope ?? [],
            detail: { tool: call.tool, call_id: call.id, reported_by: reporter.client_id, at: call.at, reason: call.reason ?? null },
          }),
        );
        if (allowed) used.add(g.id);
      }
      // one row per new call, in order; the chain's end read and its head record written once per batch
      ctx.audit.appendAll(rows);
      for (const id of used) ctx.grants.markUsed(id, now);
    });
    return c.json(result);
  });
}
