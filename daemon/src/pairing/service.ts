import type { CredentialView, PairResponse } from '#shared/admin-api.js';
import type { DaemonContext } from '../context.js';
import { normalisePairingCode, pairingCode, randomId, randomSecret, sha256 } from '../crypto.js';
import type { CredentialRecord } from '../store/credentials.repo.js';
import { loadDaemonIdentity } from './identity.js';

export function toCredentialView(c: CredentialRecord): CredentialView {
  const { secret_hash, jkt, ...view } = c;
  return view;
}

/** How often `last_used_at` of a credential is refreshed; saves a durable write on every admin call. */
const TOUCH_EVERY_SECONDS = 60;

/**
 * Admin credentials. The extension pairs with a one-time code the daemon shows; the CLI gets a credential
 * file in the data dir at start-up. Only hashes are stored; the raw values leave the daemon once.
 */
export function pairingService(ctx: DaemonContext) {
  const { credentials, audit, tx, clock, limits } = ctx;
  const identity = loadDaemonIdentity(ctx.db, clock);

  function newCode(): { code: string; expires_at: number } {
    const now = clock();
    const code = pairingCode();
    const expiresAt = now + limits.pairingCodeLifetimeSeconds;
    tx.transact(() => {
      credentials.pruneCodes(now); // in the same commit as the new code: one fsync, not two
      credentials.addCode(sha256(normalisePairingCode(code)), now, expiresAt);
      audit.append({ type: 'admin.pairing_code_created', outcome: 'ok', person: ctx.person, detail: { expires_at: expiresAt } });
    });
    return { code, expires_at: expiresAt };
  }

  /** Exchanges a valid, unused code for a new extension credential bound to its Origin and proof key (`jkt`). */
  function pair(code: string, origin: string, jkt: string, label: string | undefined): PairResponse | undefined {
    const now = clock();
    const secret = randomSecret('mpc_');
    return tx.transact(() => {
      if (!credentials.consumeCode(sha256(normalisePairingCode(code)), now)) {
        audit.append({ type: 'admin.pairing_failed', outcome: 'refused', person: ctx.person, detail: { origin } });
        return undefined;
      }
      const id = randomId('cred_');
      credentials.insert({
        id,
        label: label ?? 'Browser extension',
        kind: 'extension',
        origin,
        secret_hash: sha256(secret),
        jkt,
        created_at: now,
      });
      audit.append({ type: 'admin.paired', outcome: 'ok', person: ctx.person, detail: { credential_id: id, origin, jkt } });
      return { credential: secret, credential_id: id, daemon_jwk: identity.publicJwk };
    });
  }

  /** A fresh CLI credential at every start: the previous one stops working, the new one goes to a 0600 file. */
  function rotateCliCredential(): string {
    const now = clock();
    const secret = randomSecret('mcli_');
    tx.transact(() => {
      credentials.revokeKind('cli', now);
      credentials.insert({ id: randomId('cred_'), label: 'mandate CLI', kind: 'cli', origin: null, secret_hash: sha256(secret), jkt: null, created_at: now });
    });
    return secret;
  }

  /** The active credential with this secret; writes nothing (see `used`), so a refused request leaves no trace. */
  function authenticate(secret: string): CredentialRecord | undefined {
    if (secret.length > 200) return undefined;
    return credentials.findActiveByHash(sha256(secret));
  }

  /** Records that a credential passed every check. */
  function used(cred: CredentialRecord): void {
    const now = clock();
    if (cred.last_used_at === null || now - cred.last_used_at >= TOUCH_EVERY_SECONDS) credentials.touch(cred.id, now);
  }

  return {
    newCode,
    pair,
    rotateCliCredential,
    authenticate,
    used,
    /** Signs {challenge, origin, url} with the daemon's identity key (see identity.ts). */
    proveIdentity: identity.prove,
    list: () => credentials.list().map(toCredentialView),
    isActive: (id: string) => credentials.isActive(id),
    /** Revoked credentials stop working at once, including open event streams (checked on every wake). */
    revoke: (id: string, by: string) =>
      tx.transact(() => {
        const done = credentials.revoke(id, clock());
        if (done) audit.append({ type: 'admin.credential_revoked', outcome: 'ok', person: ctx.person, detail: { credential_id: id, via: by } });
        return done;
      }),
  };
}
export type PairingService = ReturnType<typeof pairingService>;
