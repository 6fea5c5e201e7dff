import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import {
  ADMIN_PREFIX,
  agentCreate,
  approveRequest,
  auditQuery,
  denyRequest,
  listQuery,
  type AgentView,
  type DaemonEvent,
  type DaemonInfo,
  type GrantView,
  type RevokeAllResponse,
} from '../../../shared/src/admin-api.js';
import { policySchema } from '../../../shared/src/policy.js';
import type { ClientService } from '../clients/service.js';
import type { ExternalService } from '../external/service.js';
import { externalRoutes } from './external-routes.js';
import type { DaemonContext } from '../context.js';
import { toGrantView, type Actor, type GrantService } from '../grants/service.js';
import { adminAuth, type AdminEnv } from '../http/admin-auth.js';
import { OAuthError } from '../http/errors.js';
import { readId, readJson, readQuery } from '../http/json.js';
import { pairingRoutes } from '../pairing/routes.js';
import { toCredentialView, type PairingService } from '../pairing/service.js';
import type { CredentialRecord } from '../store/credentials.repo.js';

export interface AdminServices {
  grants: GrantService;
  clients: ClientService;
  pairing: PairingService;
  external: ExternalService;
}

const HEARTBEAT_MS = 15_000;

function actorOf(ctx: DaemonContext, cred: CredentialRecord): Actor {
  return { person: ctx.person, via: cred.kind === 'cli' ? 'cli' : `extension:${cred.id}` };
}

/** The paired admin API used by the extension's service worker and the CLI. JSON only, authenticated. */
export function adminRoutes(ctx: DaemonContext, svc: AdminServices) {
  const authed = new Hono<AdminEnv>()
    .use(adminAuth(svc.pairing, ctx.clock))
    .get('/session', (c) => {
      const info: DaemonInfo = {
        issuer: ctx.issuer,
        person: ctx.person,
        version: ctx.version,
        data_dir: ctx.dataDir,
        credential: toCredentialView(c.get('credential')),
      };
      return c.json(info);
    })
    .post('/pairing-codes', async (c) => {
      await readJson(c, z.strictObject({}));
      return c.json(svc.pairing.newCode());
    })
    .get('/credentials', (c) => c.json({ credentials: svc.pairing.list() }))
    .delete('/credentials/:id', (c) => {
      if (!svc.pairing.revoke(readId(c.req.param('id')), actorOf(ctx, c.get('credential')).via))
        throw new OAuthError(404, 'not_found', 'no such active credential');
      return c.json({ revoked: true });
    })
    .get('/requests', (c) => {
      const grants: GrantView[] = ctx.grants.listPending(ctx.clock()).map(toGrantView);
      return c.json({ grants, now: ctx.clock() });
    })
    .post('/requests/:id/approve', async (c) => {
      const body = await readJson(c, approveRequest);
      const g = svc.grants.approve(readId(c.req.param('id')), actorOf(ctx, c.get('credential')), body);
      return c.json(toGrantView(g));
    })
    .post('/requests/:id/deny', async (c) => {
      const body = await readJson(c, denyRequest);
      const g = svc.grants.deny(readId(c.req.param('id')), actorOf(ctx, c.get('credential')), body.reason);
      return c.json(toGrantView(g));
    })
    .get('/grants', (c) => {
      const q = readQuery(listQuery, c.req.query());
      const list = q.all === 'true' ? ctx.grants.listAll(q.limit) : ctx.grants.listLive(ctx.clock());
      return c.json({ grants: list.map(toGrantView), now: ctx.clock() });
    })
    .get('/grants/:id', (c) => c.json(toGrantView(svc.grants.find(readId(c.req.param('id'))))))
    .post('/grants/revoke-all', async (c) => {
      await readJson(c, z.strictObject({}));
      const body: RevokeAllResponse = { revoked: svc.grants.revokeAll(actorOf(ctx, c.get('credential'))).map((g) => g.id) };
      return c.json(body);
    })
    .post('/grants/:id/revoke', async (c) => {
      await readJson(c, z.strictObject({}));
      return c.json(toGrantView(svc.grants.revoke(readId(c.req.param('id')), actorOf(ctx, c.get('credential')))));
    })
    .get('/agents', (c) => {
      const agents: AgentView[] = svc.clients.list();
      return c.json({ agents });
    })
    .post('/agents', async (c) => {
      const body = await readJson(c, agentCreate);
      return c.json(svc.clients.register(body, actorOf(ctx, c.get('credential'))), 201);
    })
    .delete('/agents/:id', (c) => c.json(svc.clients.remove(readId(c.req.param('id')), actorOf(ctx, c.get('credential')))))
    .route(
      '/',
      externalRoutes(ctx, svc.external, (cred) => actorOf(ctx, cred)),
    )
    .get('/audit', (c) => c.json({ events: ctx.audit.query(readQuery(auditQuery, c.req.query())) }))
    .get('/audit/verify', (c) => c.json(ctx.audit.verify()))
    .get('/policy', (c) => c.json({ path: ctx.policy.path(), file: ctx.policy.file(), browser: ctx.policy.browser(), effective: ctx.policy.effective() }))
    .post('/policy/browser', async (c) => {
      // Only the extension reports the browser's managed policy, and it can only make the daemon's own file stricter.
      if (c.get('credential').kind !== 'extension')
        throw new OAuthError(403, 'access_denied', "only the paired extension may push the browser's managed policy");
      const body = await readJson(c, z.strictObject({ policy: policySchema }));
      ctx.policy.setBrowser(body.policy);
      return c.json({ path: ctx.policy.path(), file: ctx.policy.file(), browser: ctx.policy.browser(), effective: ctx.policy.effective() });
    })
    .get('/events', (c) =>
      // Hono serves HEAD with the GET handler and drops the body unread: a stream opened for it never sees its
      // client go, so its subscription (and every event queued for it) would leak. Headers only.
      c.req.method === 'HEAD'
        ? c.body(null, 200, { 'Content-Type': 'text/event-stream' })
        : streamSSE(c, async (stream) => {
            const queue: DaemonEvent[] = [];
            let wake: (() => void) | undefined;
            const unsubscribe = ctx.bus.subscribe((e) => {
              queue.push(e);
              wake?.();
            });
            stream.onAbort(() => {
              unsubscribe();
              wake?.();
            });
            const credentialId = c.get('credential').id;
            await stream.writeSSE({ event: 'ready', data: '{}' });
            while (!stream.aborted && svc.pairing.isActive(credentialId)) {
              const e = queue.shift();
              if (e) {
                await stream.writeSSE({ event: e.type, data: JSON.stringify(e) });
                continue;
              }
              await new Promise<void>((resolve) => {
                wake = resolve;
                setTimeout(resolve, HEARTBEAT_MS).unref();
              });
              wake = undefined;
              if (queue.length === 0 && !stream.aborted) await stream.write(': heartbeat\n\n');
            }
            unsubscribe();
            await stream.close();
          }),
    );

  return new Hono().route(ADMIN_PREFIX, pairingRoutes(ctx, svc.pairing)).route(ADMIN_PREFIX, authed);
}
