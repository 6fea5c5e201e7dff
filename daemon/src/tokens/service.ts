import { TOKEN_TYPE_ACCESS_TOKEN, type AccessTokenClaims, type TokenResponse } from '#shared/oauth.js';
import type { DaemonContext } from '../context.js';
import { sha256 } from '../crypto.js';
import type { RefusalDraft } from '../audit/log.js';
import { grantAudit, grantRefusal, type GrantService } from '../grants/service.js';
import { OAuthError } from '../http/errors.js';
import type { ClientRecord } from '../store/clients.repo.js';
import type { GrantRecord } from '../store/grants.repo.js';
import type { GrantLiveness } from '../store/liveness-cache.js';
import { issueAccessToken } from './issue.js';
import { DelegationRefused, endReason } from './refusal.js';
import { ORG, alwaysAskIn } from '../policy/enforce.js';

export interface ExchangeRequest {
  subject_token: string;
  scope?: string[] | undefined;
  resource?: string | undefined;
}

const SLOW_DOWN_STEP = 5; // CIBA §11: on slow_down the interval grows by at least 5 seconds

/** What introspection decided: inactive, or active with the token's verified claims. */
export type Introspection = { active: false } | { active: true; claims: AccessTokenClaims };

/** Token issuance (CIBA poll, RFC 8693 renewal), introspection (RFC 7662) and agent revocation (RFC 7009). */
export function tokenService(ctx: DaemonContext, grantsSvc: GrantService) {
  const { grants, tokens, audit, tx, clock, keys, issuer, verifyAccessToken } = ctx;

  function refuseToken(g: GrantRecord, scopes: string[], err: OAuthError, detail: RefusalDraft<'token.refused'>['detail'] = {}): never {
    return grantsSvc.refuse(grantRefusal(g, { type: 'token.refused', outcome: 'refused', scopes, detail }), err);
  }

  /** Signs, then records the jti and usage in one conditional (group-committed) transaction; a grant revoked meanwhile gets nothing. */
  async function mint(
    g: GrantRecord,
    scopes: string[],
    claim: (id: string, now: number) => GrantRecord | undefined,
    how: 'ciba' | 'token-exchange' | 'authorization_code' | 'refresh_token',
  ): Promise<TokenResponse> {
    const now = clock();
    const issued = issueAccessToken(keys, issuer, g, scopes, now);
    await tx.transactGrouped(() => {
      const live = claim(g.id, now);
      if (!live) throw new OAuthError(400, 'invalid_grant', `grant ${g.id} is no longer active`);
      tokens.insert(issued.claims.jti, g.id, issued.claims.exp);
      audit.append(grantAudit(live, { type: 'token.issued', outcome: 'ok', scopes, detail: { jti: issued.claims.jti, exp: issued.claims.exp, via: how } }));
      tx.enqueue({ type: 'grant', grant_id: live.id, status: live.status });
    });
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: issued.claims.scope,
      ...(how === 'token-exchange' ? { issued_token_type: TOKEN_TYPE_ACCESS_TOKEN } : {}),
      ...(g.authorization_details ? { authorization_details: g.authorization_details } : {}),
      ...delegationTerms(g, now),
    };
  }

  /** The Mandate extension members of a token response: when the delegation ends, and whether it was cut down. */
  function delegationTerms(g: GrantRecord, now: number) {
    const expiresAt = g.expires_at ?? now;
    const granted = expiresAt - (g.decided_at ?? now);
    const asked = g.asked_duration ?? g.requested_duration;
    const approved = g.approved_scope ?? [];
    return {
      authorization_expires_in: Math.max(0, expiresAt - now),
      mandate_shortened: granted < asked,
      mandate_narrowed: g.requested_scope.some((s) => !approved.includes(s)),
    };
  }

  /** CIBA poll mode (§10, §11): pending, slow_down, access_denied, expired_token, or the first token. */
  async function pollCiba(client: ClientRecord, authReqId: string): Promise<TokenResponse> {
    const g = grants.getByAuthReqHash(sha256(authReqId));
    if (!g || g.client_id !== client.client_id) {
      throw new OAuthError(400, 'invalid_grant', 'auth_req_id is unknown or was issued to another client');
    }
    const now = clock();
    switch (g.status) {
      case 'pending': {
        if (g.request_expires_at <= now) {
          grantsSvc.expireDue();
          throw new OAuthError(400, 'expired_token', 'the request expired before the person decided; start a new one');
        }
        if (g.last_polled_at !== null && now - g.last_polled_at < g.poll_interval) {
          const interval = g.poll_interval + SLOW_DOWN_STEP;
          grants.recordPoll(g.id, now, interval);
          throw new OAuthError(400, 'slow_down', `polling too fast; wait at least ${interval} seconds between requests`);
        }
        grants.recordPoll(g.id, now, g.poll_interval);
        throw new OAuthError(400, 'authorization_pending', 'the person has not decided yet');
      }
      case 'denied':
        throw new OAuthError(400, 'access_denied', 'the person denied the request');
      case 'expired':
        if (g.decided_at === null) throw new OAuthError(400, 'expired_token', 'the request expired before the person decided');
        throw new DelegationRefused('expired_token', 'the delegation has expired', 'expired');
      case 'revoked':
      case 'ended':
        throw new DelegationRefused(
          g.token_delivered_at === null ? 'access_denied' : 'invalid_grant',
          g.token_delivered_at === null
            ? `the delegation was ${g.status} before the token was collected`
            : `auth_req_id was already used, and the delegation has since been ${g.status}`,
          g.status,
        );
      case 'approved': {
        if (g.token_delivered_at !== null) {
          refuseToken(
            g,
            g.approved_scope ?? [],
            new OAuthError(400, 'invalid_grant', 'auth_req_id was already exchanged for a token; renew with token exchange'),
          );
        }
        if (g.expires_at === null || g.expires_at <= now) {
          grantsSvc.expireDue();
          throw new DelegationRefused('expired_token', 'the delegation has expired', 'expired');
        }
        return mint(g, g.approved_scope!, grants.deliverFirstToken, 'ciba');
      }
    }
  }

  /**
   * Checks a presented token against signature, issuer, typ, our jti record and the grant's live state. `lookup`
   * reads the grant by the token's `jti`: the whole record where the caller acts on the grant, less where it only asks.
   */
  async function activeToken<G extends GrantLiveness>(
    token: string,
    lookup: (jti: string) => G | undefined,
    acceptExpired = false,
  ): Promise<{ claims: AccessTokenClaims; grant: G } | { inactive: string; detail?: string; claims?: AccessTokenClaims; grant?: G }> {
    const v = await verifyAccessToken(token, { acceptExpired });
    if (!v.ok) return { inactive: v.reason, ...(v.detail ? { detail: v.detail } : {}) };
    const grant = lookup(v.claims.jti);
    if (!grant || grant.id !== v.claims.grant_id) return { inactive: 'token was not issued by this daemon', claims: v.claims };
    if (grant.status !== 'approved' || grant.expires_at === null || grant.expires_at <= clock()) {
      return { inactive: `grant is ${grant.status === 'approved' ? 'expired' : grant.status}`, claims: v.claims, grant };
    }
    return { claims: v.claims, grant };
  }

  /**
   * RFC 8693 renewal within the grant: same audience, same or fewer scopes, a fresh ≤5-minute token.
   * The subject token may have expired (the client authenticates and the grant must be live).
   */
  async function exchange(client: ClientRecord, req: ExchangeRequest): Promise<TokenResponse> {
    const checked = await activeToken(req.subject_token, grants.getByTokenJti, true);
    if ('inactive' in checked) {
      const g = checked.grant;
      const reason = g && g.client_id === client.client_id ? endReason(g, clock()) : undefined;
      const description = `subject_token is not active: ${checked.inactive}`;
      const err = reason ? new DelegationRefused('invalid_grant', description, reason) : new OAuthError(400, 'invalid_grant', description, {}, checked.detail);
      if (g && g.client_id === client.client_id) refuseToken(g, req.scope ?? checked.claims?.scope.split(' ') ?? [], err);
      throw err;
    }
    const { claims, grant } = checked;
    if (claims.client_id !== client.client_id) {
      throw new OAuthError(400, 'invalid_grant', 'subject_token was issued to another client');
    }
    if (req.resource !== undefined && req.resource !== grant.resource) {
      refuseToken(grant, req.scope ?? [], new OAuthError(400, 'invalid_target', `this grant is for ${grant.resource} only`), { asked_resource: req.resource });
    }
    const allowed = grant.approved_scope ?? [];
    const askEachTime = alwaysAskIn(ctx.policy.effective(), allowed);
    if (askEachTime.length > 0) {
      refuseToken(
        grant,
        allowed,
        new DelegationRefused('invalid_grant', `${askEachTime.join(' ')} is approved one request at a time (${ORG}); ask the person again`, 'needs_approval'),
        { policy: 'alwaysAskScopes' },
      );
    }
    const scopes = req.scope ?? claims.scope.split(' ');
    const beyond = scopes.filter((s) => !allowed.includes(s));
    if (beyond.length > 0) {
      refuseToken(grant, scopes, new OAuthError(400, 'invalid_scope', `scope beyond what the person approved: ${beyond.join(' ')}`));
    }
    return mint(grant, scopes, grants.markUsed, 'token-exchange');
  }

  /**
   * RFC 7662. Agents may introspect their own tokens; resource servers the tokens addressed to their resources.
   * Anything else is inactive. The grant's state is read on every call: a revoke is visible on the next one.
   * An active token's claims are the verifier's own object for that token (tokens/verify.ts), the same on every
   * call, so the route can serialise its answer once per token (oauth/introspect.ts).
   */
  async function introspect(caller: ClientRecord, token: string): Promise<Introspection> {
    const checked = await activeToken(token, grants.livenessByTokenJti);
    const claims = checked.claims;
    const permitted = claims !== undefined && (caller.kind === 'agent' ? claims.client_id === caller.client_id : caller.resources.includes(claims.aud));
    if ('inactive' in checked || !permitted) {
      const reason = 'inactive' in checked ? checked.inactive : 'caller may not introspect this token';
      audit.refuse(
        {
          type: 'token.introspected_inactive',
          outcome: 'refused',
          person: claims?.sub ?? null,
          agent: claims?.client_id ?? null,
          resource: claims?.aud ?? null,
          grant_id: claims?.grant_id ?? null,
          scopes: claims?.scope.split(' ') ?? [],
          detail: { caller: caller.client_id, reason },
        },
        tx.transact,
      );
      return { active: false };
    }
    return { active: true, claims: checked.claims };
  }

  /**
   * RFC 7009: always 200. An agent revoking one of its own tokens ends the grant behind it (§2.1 allows
   * revoking the underlying grant), which is how an agent says "task done".
   */
  /** RFC 7009 §2.1: a token issued to another client is refused (and audited); nothing is revoked. */
  function refuseRevocation(g: GrantRecord, client: ClientRecord): never {
    audit.refuse(
      {
        ...grantAudit(g, {
          type: 'token.revoked',
          outcome: 'refused',
          scopes: [],
          detail: { caller: client.client_id, reason: 'token belongs to another client' },
        }),
        outcome: 'refused',
      },
      tx.transact,
    );
    throw new OAuthError(400, 'unauthorized_client', 'this token was issued to another client; nothing was revoked (RFC 7009 §2.1)');
  }

  async function revokeToken(client: ClientRecord, token: string): Promise<void> {
    const checked = await activeToken(token, grants.getByTokenJti, true);
    if ('inactive' in checked) return;
    if (checked.claims.client_id !== client.client_id) refuseRevocation(checked.grant, client);
    grantsSvc.endByAgent(checked.grant, checked.claims.jti);
  }

  return { pollCiba, exchange, introspect, revokeToken, refuseRevocation, mint, refuseToken };
}
export type TokenService = ReturnType<typeof tokenService>;
