import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { DaemonEvent, DaemonInfo } from '#shared/admin-api.js';
import { ADMIN_ENDPOINTS, ADMIN_PREFIX, type AdminCallName, type PolicyView } from '#shared/admin-contract.js';
import type { ClientService } from '../clients/service.js';
import type { DaemonContext } from '../context.js';
import type { ExternalService } from '../external/service.js';
import { toGrantView, toPendingView, type Actor, type GrantService } from '../grants/service.js';
import { adminAuth, type AdminEnv } from '../http/admin-auth.js';
import { OAuthError } from '../http/errors.js';
import { pairingRoutes } from '../pairing/routes.js';
import { toCredentialView, type PairingService } from '../pairing/service.js';
import type { CredentialRecord } from '../store/credentials.repo.js';
import { toolCallsRepo } from '../store/tool-calls.repo.js';
import { registerAdmin } from './adapter.js';
import { externalHandlers } from './external-routes.js';

export interface AdminServices {
  grants: GrantService;
  clients: ClientService;
  pairing: PairingService;
  external: ExternalService;
}

const HEARTBEAT_MS = 15_000;
/** Every answered endpoint but the two unauthenticated pairing ones must have a handler here (checked by type). */
type AuthedName = Exclude<AdminCallName, 'pair' | 'identity'>;

function actorOf(ctx: DaemonContext, cred: CredentialRecord): Actor {
  return { person: ctx.person, via: cred.kind === 'cli' ? 'cli' : `extension:${cred.id}` };
}

function policyView(ctx: DaemonContext): PolicyView {
  return { path: ctx.policy.path(), file: ctx.policy.file(), browser: ctx.policy.browser(), effective: ctx.policy.effective() };
}

/** The paired admin API used by the extension's service worker and the CLI: the contract's endpoints, authenticated. */
export function adminRoutes(ctx: DaemonContext, svc: AdminServices) {
  const authed = new Hono<AdminEnv>().use(adminAuth(svc.pairing, ctx.clock));
  const actor = (c: { get(key: 'credential'): CredentialRecord }) => actorOf(ctx, c.get('credential'));
  const toolCalls = toolCallsRepo(ctx.db);

  registerAdmin<AuthedName, AdminEnv>(authed, {
    session: ({ c }): DaemonInfo => ({
      issuer: ctx.issuer,
      person: ctx.person,
      version: ctx.version(),
      data_dir: ctx.dataDir,
      credential: toCredentialView(c.get('credential')),
    }),
    'pairingCodes.create': () => svc.pairing.newCode(),
    'credentials.list': () => ({ credentials: svc.pairing.list() }),
    'credentials.revoke': ({ params, c }) => {
      if (!svc.pairing.revoke(params.id, actor(c).via)) throw new OAuthError(404, 'not_found', 'no such active credential');
      return { revoked: true };
    },
    'requests.list': () => {
      const now = ctx.clock();
      const pending = ctx.grants.listPending(now).map((g) => toPendingView(g, ctx.grants.heldScope(g.client_id, g.resource, now)));
      return { grants: pending, now };
    },
    'requests.approve': ({ params, body, c }) => toGrantView(svc.grants.approve(params.id, actor(c), body)),
    'requests.deny': ({ params, body, c }) => toGrantView(svc.grants.deny(params.id, actor(c), body.reason)),
    'grants.list': ({ query }) => {
      const list = query.all === 'true' ? ctx.grants.listAll(query.limit) : ctx.grants.listLive(ctx.clock());
      return { grants: list.map(toGrantView), now: ctx.clock() };
    },
    'grants.get': ({ params }) => toGrantView(svc.grants.find(params.id)),
    'grants.revokeAll': ({ c }) => ({ revoked: svc.grants.revokeAll(actor(c)).map((g) => g.id) }),
    'grants.revoke': ({ params, c }) => toGrantView(svc.grants.revoke(params.id, actor(c))),
    'grants.toolCalls': ({ params, query }) => {
      if (ctx.grants.get(params.id) === undefined) throw new OAuthError(404, 'not_found', 'no such grant');
      return { calls: toolCalls.forGrant(params.id, query.limit) };
    },
    'agents.list': () => ({ agents: svc.clients.list() }),
    'agents.create': ({ body, c }) => svc.clients.register(body, actor(c)),
    'agents.remove': ({ params, c }) => svc.clients.remove(params.id, actor(c)),
    ...externalHandlers(ctx, svc.external, actor),
    'audit.list': ({ query }) => ({ events: ctx.audit.query(query) }),
    'audit.verify': ({ query }) => ctx.audit.verify({ full: query.full === 'true' }),
    'policy.get': () => policyView(ctx),
    'policy.pushBrowser': ({ body, c }) => {
      // Only the extension reports the browser's managed policy, and it can only make the daemon's own file stricter.
      if (c.get('credential').kind !== 'extension')
        throw new OAuthError(403, 'access_denied', "only the paired extension may push the browser's managed policy");
      ctx.policy.setBrowser(body.policy);
      return policyView(ctx);
    },
  });

  authed.get(ADMIN_ENDPOINTS.events.path, (c) =>
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
