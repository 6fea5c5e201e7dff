import { EmbeddedJWK, calculateJwkThumbprint, jwtVerify, type JWK } from 'jose';
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';

/** How far a proof's `iat` may be from the daemon's clock, either way (RFC 9449 §11.1). */
export const DPOP_WINDOW_SECONDS = 60;
const MAX_PROOF_LENGTH = 4096;
const MAX_REMEMBERED = 100_000;

export class DpopError extends Error {
  override name = 'DpopError';
}

/** `htu` comparison ignores query and fragment and normalises scheme, host and default port (RFC 9449 §4.3). */
export function htuOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}

/** `ath`: base64url SHA-256 of the credential the proof travels with. */
export const athOf = (credential: string): string => createHash('sha256').update(credential, 'ascii').digest('base64url');

export interface ProofCheck {
  proof: string | undefined;
  method: string;
  url: string;
  credential: string;
  /** Thumbprint the credential was bound to at pairing. */
  jkt: string;
  /** Replay scope: jtis are remembered per credential. */
  credentialId: string;
}

/**
 * Verifies DPoP proofs (RFC 9449 §4.3) for credentials bound to a key: signature by the bound key,
 * `typ` dpop+jwt, ES256 only, `htm`/`htu` of this request, `iat` within the window, `ath` of this
 * credential, and a `jti` never seen before within the window.
 */
export function dpopVerifier(clock: Clock) {
  const seen = new Map<string, number>();

  function remember(key: string, until: number, now: number): boolean {
    if (seen.has(key)) return false;
    if (seen.size >= MAX_REMEMBERED) {
      for (const [k, t] of seen) if (t < now) seen.delete(k);
      // fail closed: forgetting jtis early would re-open replay
      if (seen.size >= MAX_REMEMBERED) throw new DpopError('too many proofs in flight; retry in a minute');
    }
    seen.set(key, until);
    return true;
  }

  return async function verify(check: ProofCheck): Promise<void> {
    const { proof } = check;
    if (proof === undefined || proof === '') throw new DpopError('a DPoP proof header is required with this credential');
    if (proof.length > MAX_PROOF_LENGTH || proof.includes(',')) throw new DpopError('exactly one DPoP proof JWT is required');
    const now = clock();
    let payload: Record<string, unknown>;
    let jwk: JWK | undefined;
    try {
      const r = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'], currentDate: new Date(now * 1000) });
      payload = r.payload;
      jwk = r.protectedHeader.jwk;
    } catch {
      throw new DpopError('DPoP proof is not a valid ES256 dpop+jwt signed by the key in its jwk header');
    }
    if (!jwk || (await calculateJwkThumbprint(jwk, 'sha256')) !== check.jkt)
      throw new DpopError('DPoP proof is signed by a key this credential is not bound to');
    if (payload.htm !== check.method) throw new DpopError('DPoP proof htm does not match the request method');
    const htu = typeof payload.htu === 'string' ? htuOf(payload.htu) : undefined;
    if (htu === undefined || htu !== htuOf(check.url)) throw new DpopError('DPoP proof htu does not match the request URL');
    const iat = payload.iat;
    if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(iat - now) > DPOP_WINDOW_SECONDS) {
      throw new DpopError(`DPoP proof iat is more than ${DPOP_WINDOW_SECONDS}s from the daemon's clock`);
    }
    if (payload.ath !== athOf(check.credential)) throw new DpopError('DPoP proof ath does not match the credential');
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti.length < 16 || jti.length > 200) throw new DpopError('DPoP proof needs a jti of 16 to 200 characters');
    if (!remember(`${check.credentialId}\u0000${jti}`, iat + DPOP_WINDOW_SECONDS + 1, now)) throw new DpopError('DPoP proof was already used (replayed jti)');
  };
}
export type DpopVerifier = ReturnType<typeof dpopVerifier>;
