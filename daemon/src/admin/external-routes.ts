import type { DaemonContext } from '../context.js';
import type { ExternalService } from '../external/service.js';
import type { AdminEnv } from '../http/admin-auth.js';
import type { CredentialRecord } from '../store/credentials.repo.js';
import type { AdminHandlers } from './adapter.js';

type ExternalNames = 'external.list' | 'external.create' | 'external.outcome' | 'external.revoke' | 'chat.record';

/** Handlers for flow D (external grants) and flow E (in-chat approval reports); registered behind adminAuth. */
export function externalHandlers(
  ctx: DaemonContext,
  svc: ExternalService,
  actor: (c: { get(key: 'credential'): CredentialRecord }) => { person: string; via: string },
): AdminHandlers<ExternalNames, AdminEnv> {
  return {
    'external.list': ({ query }) => {
      const now = ctx.clock();
      return { grants: query.all === 'true' ? ctx.external.listAll(query.limit) : ctx.external.listLive(now), now };
    },
    'external.create': ({ body, c }) => svc.create(body, actor(c)),
    'external.outcome': ({ params, body, c }) => svc.outcome(params.id, body.result, body.error, actor(c)),
    'external.revoke': ({ params, c }) => svc.revoke(params.id, actor(c)),
    'chat.record': ({ body, c }) => {
      svc.recordChat(body, actor(c));
      return { recorded: true };
    },
  };
}
