import { Hono } from 'hono';
import { z } from 'zod';
import { chatEvent, type chatEventRecorded, externalGrantCreate, externalOutcome, listQuery } from '../../../shared/src/admin-api.js';
import type { DaemonContext } from '../context.js';
import type { ExternalService } from '../external/service.js';
import type { AdminEnv } from '../http/admin-auth.js';
import { readId, readJson, readQuery } from '../http/json.js';
import type { CredentialRecord } from '../store/credentials.repo.js';

/** Admin routes for flow D (external grants) and flow E (in-chat approval reports). Mounted behind adminAuth. */
export function externalRoutes(ctx: DaemonContext, svc: ExternalService, actorOf: (c: CredentialRecord) => { person: string; via: string }) {
  return new Hono<AdminEnv>()
    .get('/external-grants', (c) => {
      const q = readQuery(listQuery, c.req.query());
      const now = ctx.clock();
      const grants = q.all === 'true' ? ctx.external.listAll(q.limit) : ctx.external.listLive(now);
      return c.json({ grants, now });
    })
    .post('/external-grants', async (c) => c.json(svc.create(await readJson(c, externalGrantCreate), actorOf(c.get('credential'))), 201))
    .post('/external-grants/:id/outcome', async (c) => {
      const body = await readJson(c, externalOutcome);
      return c.json(svc.outcome(readId(c.req.param('id')), body.result, body.error, actorOf(c.get('credential'))));
    })
    .post('/external-grants/:id/revoke', async (c) => {
      await readJson(c, z.strictObject({}));
      return c.json(svc.revoke(readId(c.req.param('id')), actorOf(c.get('credential'))));
    })
    .post('/chat-events', async (c) => {
      svc.recordChat(await readJson(c, chatEvent), actorOf(c.get('credential')));
      const body: z.infer<typeof chatEventRecorded> = { recorded: true };
      return c.json(body, 201);
    });
}
