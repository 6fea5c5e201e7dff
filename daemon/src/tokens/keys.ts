import type { Database } from 'better-sqlite3';
import type { JWK } from 'jose';
import { createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SIGNING_ALG } from '#shared/oauth.js';
import type { Clock } from '../clock.js';
import { randomId } from '../crypto.js';
import { signingKeysRepo } from '../store/signing-keys.repo.js';

export interface SigningKeys {
  kid: string;
  /** The active key, for node:crypto's `sign` (tokens/issue.ts). */
  privateKey: KeyObject;
  /** Public keys to publish and verify with, current first. */
  jwks: { keys: JWK[] };
}

/**
 * Loads the active ES256 signing key from the (0600) database, generating one locally on first start.
 * Retired keys stay published until every token they signed has expired.
 *
 * With node:crypto, not WebCrypto: the first use of `crypto.subtle` loads Node's WebCrypto modules, about 2 ms that
 * the daemon's start does not need (bench/README.md, "Cold start: the launcher and the addon"); tokens are signed
 * with node:crypto anyway, and verified with jose, which loads WebCrypto at the first verification.
 */
export function loadSigningKeys(db: Database, clock: Clock, maxTokenLifetime: number): SigningKeys {
  const keys = signingKeysRepo(db);
  let row = keys.active();
  if (!row) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }); // ES256's curve
    const kid = randomId('k_');
    const priv = { ...privateKey.export({ format: 'jwk' }), kid, alg: SIGNING_ALG, use: 'sig' };
    const pub = { ...publicKey.export({ format: 'jwk' }), kid, alg: SIGNING_ALG, use: 'sig' };
    keys.insert({ kid, alg: SIGNING_ALG, private_jwk: JSON.stringify(priv), public_jwk: JSON.stringify(pub), created_at: clock() });
    row = keys.active()!;
  }
  const published = keys.published(clock() - maxTokenLifetime);
  const privateKey = createPrivateKey({ key: JSON.parse(row.private_jwk) as JsonWebKey, format: 'jwk' });
  return { kid: row.kid, privateKey, jwks: { keys: published.map((k) => JSON.parse(k) as JWK) } };
}
