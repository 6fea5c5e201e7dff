import { Hono } from 'hono';
import { z } from 'zod';
import { ADMIN_PREFIX } from '../../../shared/src/admin-api.js';
import type { DaemonContext } from '../context.js';
import { adminAuth, type AdminEnv } from '../http/admin-auth.js';
import { OAuthError } from '../http/errors.js';
import { readQuery } from '../http/json.js';
import type { PairingService } from '../pairing/service.js';
import { toolCallsRepo } from '../store/tool-calls.repo.js';

const query = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** Admin read: the tool calls recorded for one grant, newest first (popup card, Activity timeline). */
export function adminToolCallsRoute(ctx: DaemonContext, pairing: PairingService) {
  const calls = toolCallsRepo(ctx.db);
  // the guard sits on this one route: a sub-app's use() would run for every /admin path, pairing included
  const authed = new Hono<AdminEnv>().get('/grants/:id/tool-calls', adminAuth(pairing, ctx.clock), (c) => {
    const id = c.req.param('id');
    if (!/^grt_[A-Za-z0-9_-]{1,80}$/.test(id) || ctx.grants.get(id) === undefined) throw new OAuthError(404, 'not_found', 'no such grant');
    const { limit } = readQuery(query, c.req.query());
    return c.json({ calls: calls.forGrant(id, limit) });
  });
  return new Hono().route(ADMIN_PREFIX, authed);
}
