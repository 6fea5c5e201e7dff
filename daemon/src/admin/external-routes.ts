import { Hono } from 'hono';
import { z } from 'zod';
import { chatEvent, chatEventRecorded, externalGrantCreate, externalOutcome, idParam } from '../../../shared/src/admin-api.js';
import type { DaemonContext } from '../context.js';
import type { ExternalService } from '../external/service.js';
import type { AdminEnv } from '../http/admin-auth.js';
import { badRequest } from '../http/errors.js';
import { describeIssue, readJson } from '../http/json.js';
import type { CredentialRecord } from '../store/credentials.repo.js';

const listQuery = z.strictObject({
  all: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

/** Admin routes for flow D (external grants) and flow E (in-chat approval reports). Mounted behind adminAuth. */
export function externalRoutes(ctx: DaemonContext, svc: ExternalService, actorOf: (c: CredentialRecord) => { person: string; via: string }) {
  const id = (v: string) => {
    const r = idParam.safeParse(v);
    if (!r.success) throw badRequest('id is not valid');
    return r.data;
  };
  return new Hono<AdminEnv>()
    .get('/external-grants', (c) => {
      const q = listQuery.safeParse(c.req.query());
      if (!q.success) throw badRequest(describeIssue(q.error));
      const now = ctx.clock();
      const grants = q.data.all === 'true' ? ctx.external.listAll(q.data.limit) : ctx.external.listLive(now);
      return c.json({ grants, now });
    })
    .post('/external-grants', async (c) => c.json(svc.create(await readJson(c, externalGrantCreate), actorOf(c.get('credential'))), 201))
    .post('/external-grants/:id/outcome', async (c) => {
      const body = await readJson(c, externalOutcome);
      return c.json(svc.outcome(id(c.req.param('id')), body.result, body.error, actorOf(c.get('credential'))));
    })
    .post('/external-grants/:id/revoke', async (c) => {
      await readJson(c, z.strictObject({}));
      return c.json(svc.revoke(id(c.req.param('id')), actorOf(c.get('credential'))));
    })
    .post('/chat-events', async (c) => {
      svc.recordChat(await readJson(c, chatEvent), actorOf(c.get('credential')));
      const body: z.infer<typeof chatEventRecorded> = { recorded: true };
      return c.json(body, 201);
    });
}
