import type * as z from 'zod';
import type { ChatEvent, ExternalGrantView, externalGrantCreate } from '#shared/admin-api.js';
import type { AuditDetail, AuditType } from '#shared/audit-events.js';
import type { AuditInput } from '../audit/log.js';
import type { DaemonContext } from '../context.js';
import { randomId } from '../crypto.js';
import type { Actor } from '../grants/service.js';
import { OAuthError } from '../http/errors.js';
import { ORG, blockedIn, maxDelegationSeconds } from '../policy/enforce.js';

const CHAT_AUDIT: Record<ChatEvent['kind'], AuditType & `chat.${string}`> = {
  'prompt-seen': 'chat.prompt_seen',
  decision: 'chat.decision',
  'adapter-miss': 'chat.adapter_miss',
};

type ExternalType = AuditType & `external.${string}`;
type ExternalDetail = AuditDetail<'external.revoked'>;

/**
 * External grants (flow D) and in-chat approval reports (flow E), both recorded by the extension.
 * Each change commits with its audit row; the extension hears about it over SSE.
 */
export function externalService(ctx: DaemonContext) {
  const { external, audit, tx, clock } = ctx;

  /** The row about external grant `g`; `detail` holds the members every external.* row shares, plus `extra`. */
  const row = <T extends ExternalType>(g: ExternalGrantView, type: T, actor: Actor, extra: Omit<AuditDetail<T>, keyof ExternalDetail>): AuditInput<T> => ({
    type,
    outcome: type === 'external.blocked' || type === 'external.denied' ? 'refused' : 'ok',
    person: actor.person,
    agent: `${g.platform}:${g.client_id}`.slice(0, 300),
    resource: g.resource ?? `https://${g.provider_host}/`,
    scopes: type === 'external.requested' || type === 'external.blocked' ? g.requested_scope : g.allowed_scope,
    decision: type === 'external.blocked' ? 'denied' : type === 'external.requested' ? 'approved' : null,
    // the shared members plus exactly the rest of T's detail (the parameter's type)
    detail: { external_id: g.id, provider: g.provider_host, platform: g.platform, via: actor.via, ...extra } as AuditDetail<T>,
  });
  const emit = (g: ExternalGrantView) => tx.enqueue({ type: 'external', id: g.id, status: g.status });

  function create(input: z.output<typeof externalGrantCreate>, actor: Actor): ExternalGrantView {
    const extra = input.allowed_scope.filter((s) => !input.requested_scope.includes(s));
    if (extra.length > 0) throw new OAuthError(400, 'invalid_scope', `allowed scopes must come from the requested ones; not requested: ${extra.join(' ')}`);
    const policy = ctx.policy.effective();
    if (input.decision === 'continue') {
      const max = maxDelegationSeconds(policy, 366 * 86400);
      if (input.expires_in > max) throw new OAuthError(400, 'invalid_request', `expires_in exceeds ${max / 60} minutes (${ORG})`);
      const blocked = blockedIn(policy, input.allowed_scope);
      if (blocked.length > 0) throw new OAuthError(400, 'invalid_scope', `scope blocked (${ORG}): ${blocked.join(' ')}`);
    }
    const now = clock();
    const g: ExternalGrantView = {
      id: randomId('ext_'),
      platform: input.platform,
      provider_host: input.provider_host.toLowerCase(),
      client_id: input.client_id,
      redirect_uri: input.redirect_uri,
      requested_scope: input.requested_scope,
      allowed_scope: input.decision === 'block' ? [] : input.allowed_scope,
      resource: input.resource,
      authorization_details: input.authorization_details,
      pkce: input.pkce,
      status: input.decision === 'block' ? 'blocked' : 'pending',
      created_at: now,
      expires_at: now + input.expires_in,
      outcome_at: null,
      outcome_error: null,
      ended_at: input.decision === 'block' ? now : null,
    };
    return tx.transact(() => {
      external.insert(g);
      const dropped = input.requested_scope.filter((s) => !input.allowed_scope.includes(s));
      audit.append(
        row(g, input.decision === 'block' ? 'external.blocked' : 'external.requested', actor, { dropped_scopes: dropped, expires_at: g.expires_at }),
      );
      emit(g);
      return g;
    });
  }

  function outcome(id: string, result: 'granted' | 'denied', error: string | undefined, actor: Actor): ExternalGrantView {
    expireDue(); // its own commit: a grant past its time stays expired even when the late answer is refused
    return tx.transact(() => {
      const g = external.setOutcome(id, clock(), result, result === 'denied' ? (error ?? 'access_denied') : null);
      if (!g) throw new OAuthError(409, 'conflict', `external grant ${id.slice(0, 60)} is not waiting for an outcome`);
      audit.append(row(g, result === 'granted' ? 'external.granted' : 'external.denied', actor, { error: g.outcome_error }));
      emit(g);
      return g;
    });
  }

  /** The person revoked it at the provider (Mandate opened the provider's page); recorded as revoked by them. */
  function revoke(id: string, actor: Actor): ExternalGrantView {
    expireDue();
    return tx.transact(() => {
      const g = external.revoke(id, clock());
      if (!g) throw new OAuthError(409, 'conflict', `external grant ${id.slice(0, 60)} is not active`);
      audit.append(row(g, 'external.revoked', actor, {}));
      emit(g);
      return g;
    });
  }

  function expireDue(): ExternalGrantView[] {
    return tx.transact(() => {
      const expired = external.expireDue(clock());
      for (const g of expired) {
        audit.append(row(g, 'external.expired', { person: ctx.person, via: 'daemon' }, {}));
        emit(g);
      }
      return expired;
    });
  }

  function recordChat(e: ChatEvent, actor: Actor): void {
    tx.transact(() =>
      audit.append({
        type: CHAT_AUDIT[e.kind],
        outcome: e.kind === 'decision' && e.decision === 'deny' ? 'refused' : 'ok',
        person: actor.person,
        agent: e.app ? `${e.site}:${e.app}` : e.site,
        decision: e.decision ?? null,
        detail: { site: e.site, page_host: e.page_host, tool: e.tool ?? null, detail: e.detail ?? null, via: actor.via },
      }),
    );
  }

  return { create, outcome, revoke, expireDue, recordChat };
}
export type ExternalService = ReturnType<typeof externalService>;
