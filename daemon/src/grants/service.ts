import { detailsProblem } from '#shared/authorization-details/model.js';
import type { GrantView } from '#shared/admin-api.js';
import type { AuthorizationDetail } from '#shared/oauth.js';
import type { AuditDetail, AuditType } from '#shared/audit-events.js';
import type { AuditInput, RefusalDraft, RefusalType } from '../audit/log.js';
import type { DaemonContext } from '../context.js';
import { randomId, randomSecret, sha256 } from '../crypto.js';
import { OAuthError } from '../http/errors.js';
import type { ClientRecord } from '../store/clients.repo.js';
import type { GrantRecord } from '../store/grants.repo.js';
import { ORG, blockedIn, checkAgent, maxDelegationSeconds } from '../policy/enforce.js';

export interface NewRequest {
  scope: string[];
  resource: string;
  binding_message?: string | undefined;
  requested_expiry?: number | undefined;
  authorization_details?: AuthorizationDetail[] | undefined;
}

/** Who decided, for the record: the person, through which surface (CLI or a paired extension). */
export interface Actor {
  person: string;
  via: string;
}

export function toGrantView(g: GrantRecord): GrantView {
  const { client_id, agent_name, poll_interval, last_polled_at, token_delivered_at, asked_duration, ...rest } = g;
  return { ...rest, agent: { client_id, name: agent_name } };
}

/** A pending request as the person sees it: its view plus which requested scopes the agent already holds (`held`, grants.repo heldScope). */
export function toPendingView(g: GrantRecord, held: readonly string[]): GrantView {
  return { ...toGrantView(g), held_scope: g.requested_scope.filter((s) => held.includes(s)) };
}

/** An audit row about a grant: person, agent, resource and grant id come from the grant. */
export function grantAudit<T extends AuditType>(g: GrantRecord, e: Omit<AuditInput<T>, GrantFields>): AuditInput<T> {
  return { person: g.sub, agent: g.client_id, resource: g.resource, grant_id: g.id, ...e };
}

/** The same, for a refusal row whose `error` and `reason` the refusal fills in. */
export function grantRefusal<T extends RefusalType>(g: GrantRecord, e: Omit<RefusalDraft<T>, GrantFields>): RefusalDraft<T> {
  return { person: g.sub, agent: g.client_id, resource: g.resource, grant_id: g.id, ...e };
}

type GrantFields = 'person' | 'agent' | 'resource' | 'grant_id';

/** Grant state changes. Each runs as one durable transaction with its audit row; events go out after commit. */
export function grantService(ctx: DaemonContext) {
  const { grants, audit, tx, clock, limits } = ctx;

  /** Records a refusal on its own (the refused change itself writes nothing). */
  function refuse<T extends RefusalType>(e: RefusalDraft<T>, err: OAuthError): never {
    // The draft's detail is the type's refusal detail without exactly these two members (RefusalDraft).
    const detail = { ...e.detail, error: err.code, reason: err.description } as AuditDetail<T>;
    audit.refuse({ ...e, outcome: 'refused', detail }, tx.transact);
    throw err;
  }

  const emitGrant = (g: GrantRecord) => tx.enqueue({ type: 'grant', grant_id: g.id, status: g.status });

  /**
   * A request from an agent, checked against its ceiling and stored as pending: CIBA, or /authorize (which
   * stores its browser side with `alongside`, in the same transaction).
   */
  function createRequest(client: ClientRecord, req: NewRequest, alongside?: (g: GrantRecord) => void) {
    const base: RefusalDraft<'request.refused'> = {
      type: 'request.refused',
      outcome: 'refused',
      person: ctx.person,
      agent: client.client_id,
      resource: req.resource,
      scopes: req.scope,
    };
    if (client.kind !== 'agent') {
      refuse(base, new OAuthError(400, 'unauthorized_client', 'this client is registered as a resource server and cannot ask for delegations'));
    }
    const policy = ctx.policy.effective();
    try {
      checkAgent(policy, client);
    } catch (e) {
      if (e instanceof OAuthError) refuse({ ...base, detail: { policy: 'agents' } }, e);
      throw e;
    }
    if (!client.resources.includes(req.resource)) {
      refuse(base, new OAuthError(400, 'invalid_target', `resource ${req.resource} is outside this agent's registered resources`));
    }
    const beyond = req.scope.filter((s) => !client.scopes.includes(s));
    if (beyond.length > 0) {
      refuse({ ...base, detail: { beyond_ceiling: beyond } }, new OAuthError(400, 'invalid_scope', `scope beyond this agent's ceiling: ${beyond.join(' ')}`));
    }
    const asked = req.requested_expiry ?? limits.defaultDelegationSeconds;
    if (asked > limits.maxDelegationSeconds) {
      refuse(
        base,
        new OAuthError(400, 'invalid_request', `requested_expiry ${asked}s exceeds the longest delegation allowed here (${limits.maxDelegationSeconds}s)`),
      );
    }
    // An organisational cap shortens what is asked rather than refusing it; the person sees the cap.
    const duration = Math.min(asked, maxDelegationSeconds(policy, limits.maxDelegationSeconds));
    const blocked = blockedIn(policy, req.scope);
    const now = clock();
    // prefixed: an id starting with "-" would read as an option to `mandate approve`
    const authReqId = randomSecret('ar_');
    const grant = tx.transact(() => {
      const id = randomId('grt_');
      grants.insert({
        id,
        auth_req_hash: sha256(authReqId),
        client_id: client.client_id,
        sub: ctx.person,
        resource: req.resource,
        binding_message: req.binding_message ?? null,
        requested_scope: req.scope,
        requested_duration: duration,
        asked_duration: asked,
        authorization_details: req.authorization_details ?? null,
        created_at: now,
        request_expires_at: now + limits.requestLifetimeSeconds,
        poll_interval: limits.pollIntervalSeconds,
      });
      const g = grants.get(id)!;
      alongside?.(g);
      audit.append(
        grantAudit(g, {
          type: 'request.created',
          outcome: 'ok',
          scopes: req.scope,
          detail: {
            requested_expiry: asked,
            capped_to: duration < asked ? duration : null,
            blocked_by_policy: blocked,
            ...(req.authorization_details ? { authorization_details: JSON.stringify(req.authorization_details) } : {}),
          },
        }),
      );
      emitGrant(g);
      return g;
    });
    return { grant, authReqId, expiresIn: limits.requestLifetimeSeconds, interval: limits.pollIntervalSeconds };
  }

  /** Finds a request by grant id or by the agent's auth_req_id (what `mandate approve` accepts). */
  function find(idOrAuthReqId: string): GrantRecord {
    const g = idOrAuthReqId.startsWith('grt_') ? grants.get(idOrAuthReqId) : grants.getByAuthReqHash(sha256(idOrAuthReqId));
    if (!g) throw new OAuthError(404, 'not_found', `no request or grant "${idOrAuthReqId.slice(0, 60)}"`);
    return g;
  }

  function assertOpen(g: GrantRecord, now: number): void {
    if (g.status === 'pending' && g.request_expires_at <= now) {
      expireDue();
      throw new OAuthError(409, 'conflict', `request ${g.id} expired before a decision`);
    }
    if (g.status !== 'pending') throw new OAuthError(409, 'conflict', `request ${g.id} is already ${g.status}`);
  }

  /** The person approves, optionally narrowing scopes and shortening the duration; never widening either. */
  function approve(idOrAuthReqId: string, actor: Actor, choice: { scope?: string[] | undefined; expires_in?: number | undefined }) {
    const now = clock();
    const g = find(idOrAuthReqId);
    assertOpen(g, now);
    const policy = ctx.policy.effective();
    // without a choice: everything asked that policy does not block
    const scope = choice.scope ? [...new Set(choice.scope)] : g.requested_scope.filter((s) => !blockedIn(policy, [s]).length);
    if (scope.length === 0) throw new OAuthError(400, 'invalid_scope', `every scope asked is blocked (${ORG}); deny the request`);
    const extra = scope.filter((s) => !g.requested_scope.includes(s));
    const audited = grantRefusal(g, { type: 'grant.approved', outcome: 'refused', scopes: scope, detail: { via: actor.via } });
    if (extra.length > 0) {
      refuse(audited, new OAuthError(400, 'invalid_scope', `only requested scopes can be approved; not requested: ${extra.join(' ')}`));
    }
    // If it cannot be shown, it cannot be approved: a record from before /bc-authorize refused such details.
    const unshowable = g.authorization_details ? detailsProblem(g.authorization_details) : undefined;
    if (unshowable !== undefined) {
      refuse(
        audited,
        new OAuthError(
          400,
          'invalid_authorization_details',
          `these details cannot be shown in full, so they cannot be approved; deny the request (${unshowable})`,
        ),
      );
    }
    const duration = choice.expires_in ?? g.requested_duration;
    const max = maxDelegationSeconds(policy, limits.maxDelegationSeconds);
    if (duration > max) {
      refuse(
        audited,
        new OAuthError(
          400,
          'invalid_request',
          `expires_in exceeds the longest delegation allowed (${max}s${max < limits.maxDelegationSeconds ? `, ${ORG}` : ''})`,
        ),
      );
    }
    if (duration > g.requested_duration) {
      refuse(
        audited,
        new OAuthError(
          400,
          'invalid_request',
          `expires_in ${duration}s is longer than the ${g.requested_duration}s the agent asked for; a duration can only be shortened`,
        ),
      );
    }
    const blocked = blockedIn(policy, scope);
    if (blocked.length > 0) {
      refuse(
        { ...audited, detail: { via: actor.via, blocked_by_policy: blocked } },
        new OAuthError(400, 'invalid_scope', `scope blocked (${ORG}): ${blocked.join(' ')}`),
      );
    }
    return tx.transact(() => {
      const approved = grants.approve(g.id, now, scope, now + duration, { at: now, by: actor.person, via: actor.via });
      if (!approved) throw new OAuthError(409, 'conflict', `request ${g.id} is no longer pending`);
      const dropped = g.requested_scope.filter((s) => !scope.includes(s));
      audit.append(
        grantAudit(approved, {
          type: 'grant.approved',
          outcome: 'ok',
          decision: 'approved',
          scopes: scope,
          detail: { via: actor.via, expires_at: now + duration, dropped_scopes: dropped },
        }),
      );
      emitGrant(approved);
      return approved;
    });
  }

  function deny(idOrAuthReqId: string, actor: Actor, reason?: string) {
    const now = clock();
    const g = find(idOrAuthReqId);
    assertOpen(g, now);
    return tx.transact(() => {
      const denied = grants.deny(g.id, now, { at: now, by: actor.person, via: actor.via });
      if (!denied) throw new OAuthError(409, 'conflict', `request ${g.id} is no longer pending`);
      audit.append(
        grantAudit(denied, {
          type: 'grant.denied',
          outcome: 'ok',
          decision: 'denied',
          scopes: g.requested_scope,
          detail: { via: actor.via, reason: reason ?? null },
        }),
      );
      emitGrant(denied);
      return denied;
    });
  }

  /** Person revokes one live grant: from this commit on, introspection is inactive and renewal fails. */
  function revoke(id: string, actor: Actor): GrantRecord {
    const now = clock();
    const g = find(id);
    return tx.transact(() => {
      const revoked = grants.end(g.id, now, 'revoked', actor.person);
      if (!revoked) throw new OAuthError(409, 'conflict', `grant ${g.id} is not active (it is ${g.status === 'approved' ? 'expired' : g.status})`);
      audit.append(
        grantAudit(revoked, { type: 'grant.revoked', outcome: 'ok', decision: 'revoked', scopes: revoked.approved_scope ?? [], detail: { via: actor.via } }),
      );
      emitGrant(revoked);
      return revoked;
    });
  }

  function revokeAll(actor: Actor): GrantRecord[] {
    const now = clock();
    return tx.transact(() => {
      const revoked = grants.revokeAll(now, actor.person);
      for (const g of revoked) {
        audit.append(
          grantAudit(g, { type: 'grant.revoked', outcome: 'ok', decision: 'revoked', scopes: g.approved_scope ?? [], detail: { via: actor.via, all: true } }),
        );
        emitGrant(g);
      }
      return revoked;
    });
  }

  /** The agent says its task is done: RFC 7009 revocation of one of its tokens (an access token's `jti`, or a refresh token) ends the grant. */
  function endByAgent(g: GrantRecord, jti: string | undefined, reason = 'agent revoked its token: task done'): GrantRecord | undefined {
    const now = clock();
    return tx.transact(() => {
      const ended = grants.end(g.id, now, 'ended', g.client_id);
      if (ended) {
        audit.append(
          grantAudit(ended, {
            type: 'grant.ended',
            outcome: 'ok',
            scopes: ended.approved_scope ?? [],
            detail: { ...(jti === undefined ? {} : { jti }), reason },
          }),
        );
        emitGrant(ended);
      }
      return ended;
    });
  }

  /** Moves overdue pending requests and approved grants to `expired`, with an audit row each. */
  function expireDue(): GrantRecord[] {
    const now = clock();
    return tx.transact(() => {
      const expired = grants.expireDue(now);
      for (const g of expired) {
        const wasApproved = g.decided_at !== null;
        audit.append(
          grantAudit(g, {
            type: wasApproved ? 'grant.expired' : 'request.expired',
            outcome: 'ok',
            scopes: g.approved_scope ?? g.requested_scope,
            detail: { expired_at: g.ended_at },
          }),
        );
        emitGrant(g);
      }
      return expired;
    });
  }

  return { createRequest, find, approve, deny, revoke, revokeAll, endByAgent, expireDue, refuse };
}
export type GrantService = ReturnType<typeof grantService>;
