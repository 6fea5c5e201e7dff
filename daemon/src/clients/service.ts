import type { AgentCreate, AgentCreated, AgentView } from '#shared/admin-api.js';
import type { DaemonContext } from '../context.js';
import { randomId, randomSecret, sha256 } from '../crypto.js';
import type { Actor, GrantService } from '../grants/service.js';
import { OAuthError } from '../http/errors.js';
import type { ClientRecord } from '../store/clients.repo.js';
import { textProblem } from '#shared/text.js';

export function toAgentView(c: ClientRecord): AgentView {
  const { secret_hash, ...view } = c;
  return view;
}

/** Agents and resource servers are OAuth clients of their own; the secret is shown once and stored hashed. */
export function clientService(ctx: DaemonContext, grantsSvc: GrantService) {
  const { clients, grants, audit, tx, clock } = ctx;

  function register(input: Required<Pick<AgentCreate, 'name' | 'kind' | 'scopes' | 'resources'>>, actor: Actor): AgentCreated {
    if (input.kind === 'agent' && input.scopes.length === 0) {
      throw new OAuthError(400, 'invalid_scope', 'an agent needs at least one scope in its ceiling');
    }
    // People read this name on every request card: one text policy, refused here rather than escaped later.
    const nameProblem = textProblem(input.name);
    if (nameProblem !== undefined) throw new OAuthError(400, 'invalid_request', `name ${nameProblem}`);
    const secret = randomSecret('mcs_');
    const record: ClientRecord = {
      client_id: randomId(input.kind === 'agent' ? 'agt_' : 'rs_'),
      kind: input.kind,
      name: input.name,
      secret_hash: sha256(secret),
      scopes: [...new Set(input.scopes)],
      resources: [...new Set(input.resources)],
      created_at: clock(),
    };
    tx.transact(() => {
      clients.insert(record);
      audit.append({
        type: 'client.registered',
        outcome: 'ok',
        person: actor.person,
        agent: record.client_id,
        scopes: record.scopes,
        detail: { name: record.name, kind: record.kind, resources: record.resources, via: actor.via },
      });
      tx.enqueue({ type: 'agent', client_id: record.client_id });
    });
    return { ...toAgentView(record), client_secret: secret };
  }

  /** Removing a client revokes its live grants and denies its pending requests in the same transaction. */
  function remove(clientId: string, actor: Actor): { revoked: string[] } {
    const now = clock();
    return tx.transact(() => {
      grantsSvc.expireDue(); // overdue requests end as expired, not as denied by the removal
      if (!clients.remove(clientId, now)) throw new OAuthError(404, 'not_found', `no agent "${clientId.slice(0, 60)}"`);
      const ended = grants.revokeForClient(clientId, now, actor.person);
      for (const g of ended) {
        audit.append({
          type: g.status === 'revoked' ? 'grant.revoked' : 'grant.denied',
          outcome: 'ok',
          decision: g.status === 'revoked' ? 'revoked' : 'denied',
          person: g.sub,
          agent: clientId,
          resource: g.resource,
          grant_id: g.id,
          scopes: g.approved_scope ?? g.requested_scope,
          detail: { via: actor.via, reason: 'agent removed' },
        });
        tx.enqueue({ type: 'grant', grant_id: g.id, status: g.status });
      }
      audit.append({ type: 'client.removed', outcome: 'ok', person: actor.person, agent: clientId, detail: { via: actor.via } });
      tx.enqueue({ type: 'agent', client_id: clientId });
      return { revoked: ended.filter((g) => g.status === 'revoked').map((g) => g.id) };
    });
  }

  return { register, remove, list: () => clients.list().map(toAgentView) };
}
export type ClientService = ReturnType<typeof clientService>;
