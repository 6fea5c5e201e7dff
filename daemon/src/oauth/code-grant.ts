import { createHash } from 'node:crypto';
import type { TokenResponse } from '#shared/oauth.js';
import type { DaemonContext } from '../context.js';
import { randomSecret, sha256 } from '../crypto.js';
import { grantAudit, type GrantService } from '../grants/service.js';
import { OAuthError } from '../http/errors.js';
import { alwaysAskIn } from '../policy/enforce.js';
import { authorizationRepo } from '../store/authorization.repo.js';
import type { ClientRecord } from '../store/clients.repo.js';
import type { GrantRecord } from '../store/grants.repo.js';
import type { TokenService } from '../tokens/service.js';

export interface CodeRedemption {
  code: string;
  redirect_uri: string;
  code_verifier: string;
  resource?: string | undefined;
}

export interface Refresh {
  refresh_token: string;
  scope?: string[] | undefined;
  resource?: string | undefined;
}

const invalidGrant = (why: string) => new OAuthError(400, 'invalid_grant', why);
const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/**
 * The authorization-code and refresh-token grants. A code is single use and bound to client, redirect URI,
 * PKCE verifier and resource; a misused one ends its grant (so a replay revokes what the first use issued).
 * Refresh tokens rotate on every use, live only while the grant does, and a reused one ends the grant.
 */
export function codeGrants(ctx: DaemonContext, grantsSvc: GrantService, tokens: TokenService) {
  const repo = authorizationRepo(ctx.db);

  /** Ends the grant (if still live) with an audit row saying why; every token it issued goes inactive with it. */
  function endGrant(g: GrantRecord, reason: string): void {
    const now = ctx.clock();
    ctx.tx.transact(() => {
      const ended = ctx.grants.end(g.id, now, 'revoked', 'mandate');
      if (!ended) return;
      ctx.audit.append(
        grantAudit(ended, { type: 'grant.revoked', outcome: 'ok', decision: 'revoked', scopes: ended.approved_scope ?? [], detail: { via: 'daemon', reason } }),
      );
      ctx.tx.enqueue({ type: 'grant', grant_id: ended.id, status: ended.status });
    });
  }

  function refuseAndEnd(g: GrantRecord, err: OAuthError, reason: string): never {
    endGrant(g, reason);
    return tokens.refuseToken(g, g.approved_scope ?? [], err);
  }

  /** A new refresh token for a live grant, unless policy wants every use asked again. */
  function newRefresh(g: GrantRecord): string | undefined {
    if (alwaysAskIn(ctx.policy.effective(), g.approved_scope ?? []).length > 0) return undefined;
    const token = randomSecret('mrt_');
    ctx.tx.transact(() => repo.insertRefresh(sha256(token), g.id, g.client_id, ctx.clock()));
    return token;
  }

  async function redeem(client: ClientRecord, req: CodeRedemption): Promise<TokenResponse> {
    const hash = sha256(req.code);
    const rec = repo.code(hash);
    if (!rec) throw invalidGrant('code is unknown');
    const g = ctx.grants.get(rec.grant_id)!;
    // Burned on first presentation, whatever follows: a code never works twice.
    if (rec.used_at !== null || !repo.useCode(hash, ctx.clock())) {
      refuseAndEnd(g, invalidGrant('code was already used; the delegation it gave is revoked'), 'authorization code replayed');
    }
    if (rec.client_id !== client.client_id) refuseAndEnd(g, invalidGrant('code was issued to another client'), 'code presented by another client');
    if (rec.expires_at <= ctx.clock()) refuseAndEnd(g, invalidGrant('code has expired'), 'code expired');
    if (rec.redirect_uri !== req.redirect_uri) refuseAndEnd(g, invalidGrant('redirect_uri differs from the authorization request'), 'redirect_uri mismatch');
    if (s256(req.code_verifier) !== rec.code_challenge) refuseAndEnd(g, invalidGrant('code_verifier does not match code_challenge (PKCE)'), 'PKCE mismatch');
    if (req.resource !== undefined && req.resource !== rec.resource) {
      refuseAndEnd(g, new OAuthError(400, 'invalid_target', `this code is for ${rec.resource} only`), 'resource mismatch');
    }
    if (g.status !== 'approved' || g.expires_at === null || g.expires_at <= ctx.clock()) {
      throw invalidGrant(`the delegation is ${g.status === 'approved' ? 'expired' : g.status}`);
    }
    const issued = await tokens.mint(g, g.approved_scope!, ctx.grants.deliverFirstToken, 'authorization_code');
    const refresh = newRefresh(g);
    return { ...issued, ...(refresh ? { refresh_token: refresh } : {}) };
  }

  async function refresh(client: ClientRecord, req: Refresh): Promise<TokenResponse> {
    const hash = sha256(req.refresh_token);
    const rec = repo.refresh(hash);
    if (!rec || rec.client_id !== client.client_id) throw invalidGrant('refresh_token is unknown or was issued to another client');
    const g = ctx.grants.get(rec.grant_id)!;
    if (rec.used_at !== null) refuseAndEnd(g, invalidGrant('refresh_token was already used; the delegation is ended'), 'refresh token reused');
    const now = ctx.clock();
    if (g.status !== 'approved' || g.expires_at === null || g.expires_at <= now) {
      if (g.status === 'approved') grantsSvc.expireDue();
      tokens.refuseToken(g, g.approved_scope ?? [], invalidGrant(`the delegation is ${g.status === 'approved' ? 'expired' : g.status}`));
    }
    if (req.resource !== undefined && req.resource !== g.resource) {
      tokens.refuseToken(g, req.scope ?? [], new OAuthError(400, 'invalid_target', `this grant is for ${g.resource} only`), { asked_resource: req.resource });
    }
    const allowed = g.approved_scope ?? [];
    const scopes = req.scope ?? allowed;
    const beyond = scopes.filter((s) => !allowed.includes(s));
    if (beyond.length > 0) tokens.refuseToken(g, scopes, new OAuthError(400, 'invalid_scope', `scope beyond what the person approved: ${beyond.join(' ')}`));
    if (alwaysAskIn(ctx.policy.effective(), allowed).length > 0) {
      tokens.refuseToken(g, allowed, invalidGrant('part of this delegation is approved one request at a time; ask the person again'));
    }
    if (!repo.useRefresh(hash, now)) refuseAndEnd(g, invalidGrant('refresh_token was already used; the delegation is ended'), 'refresh token reused');
    const issued = await tokens.mint(g, scopes, ctx.grants.markUsed, 'refresh_token');
    const next = newRefresh(g);
    return { ...issued, ...(next ? { refresh_token: next } : {}) };
  }

  /**
   * RFC 7009 for a refresh token: the client's own live one ends its grant (and so every access token of it);
   * another client's is refused; an unknown or already rotated one changes nothing. False if it is no refresh token.
   */
  function revokeRefresh(client: ClientRecord, token: string): boolean {
    const hash = sha256(token);
    const rec = repo.refresh(hash);
    if (!rec) return false;
    const g = ctx.grants.get(rec.grant_id)!;
    if (rec.client_id !== client.client_id) tokens.refuseRevocation(g, client);
    if (rec.used_at !== null) return true;
    ctx.tx.transact(() => {
      repo.useRefresh(hash, ctx.clock());
      grantsSvc.endByAgent(g, undefined, 'the client revoked its refresh token');
    });
    return true;
  }

  return { redeem, refresh, revokeRefresh };
}
export type CodeGrants = ReturnType<typeof codeGrants>;
