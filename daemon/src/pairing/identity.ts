import type { Database } from 'better-sqlite3';
import { createPrivateKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { IDENTITY_PROOF_TYP, ecPublicJwk, type EcPublicJwk, type IdentityClaims } from '#shared/admin-api.js';
import type { Clock } from '../clock.js';
import { identityRepo } from '../store/identity.repo.js';

export interface DaemonIdentity {
  /** The public half, returned at pairing and pinned by the extension. */
  publicJwk: EcPublicJwk;
  /** A compact JWS (ES256) over the claims, proving that whoever answers holds the pinned key. */
  prove(claims: Omit<IdentityClaims, 'iat'>): string;
}

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * The daemon's long-lived identity key (P-256), generated at first start and kept in the 0600 database.
 * It signs nothing but identity challenges, so it is separate from the token signing keys and never rotates
 * with them: rotating it would make every paired extension refuse the daemon until paired again.
 */
export function loadDaemonIdentity(db: Database, clock: Clock): DaemonIdentity {
  const repo = identityRepo(db);
  let row = repo.read();
  if (!row) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    repo.insertOnce(JSON.stringify(privateKey.export({ format: 'jwk' })), JSON.stringify(publicKey.export({ format: 'jwk' })), clock());
    row = repo.read()!;
  }
  const key: KeyObject = createPrivateKey({ key: JSON.parse(row.private_jwk) as JsonWebKey, format: 'jwk' });
  const stored = row.public_jwk;
  let publicJwk: EcPublicJwk | undefined;
  return {
    // parsed at the first pairing, not at start: the daemon's start builds no schema it does not need
    // (daemon/test/start-schemas.test.ts)
    get publicJwk() {
      publicJwk ??= ecPublicJwk.parse(JSON.parse(stored));
      return publicJwk;
    },
    prove(claims) {
      const input = `${b64(JSON.stringify({ alg: 'ES256', typ: IDENTITY_PROOF_TYP }))}.${b64(JSON.stringify({ ...claims, iat: clock() }))}`;
      const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${b64(signature)}`;
    },
  };
}
