import type { Database } from 'better-sqlite3';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { SIGNING_ALG } from '#shared/oauth.js';
import type { Clock } from '../clock.js';
import { randomId } from '../crypto.js';
import { signingKeysRepo } from '../store/signing-keys.repo.js';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  /** Public keys to publish and verify with, current first. */
  jwks: { keys: JWK[] };
}

/**
 * Loads the active ES256 signing key from the (0600) database, generating one locally on first start.
 * Retired keys stay published until every token they signed has expired.
 */
export async function loadSigningKeys(db: Database, clock: Clock, maxTokenLifetime: number): Promise<SigningKeys> {
  const keys = signingKeysRepo(db);
  let row = keys.active();
  if (!row) {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const kid = randomId('k_');
    const priv = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    const pub = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    keys.insert({ kid, alg: SIGNING_ALG, private_jwk: JSON.stringify(priv), public_jwk: JSON.stringify(pub), created_at: clock() });
    row = keys.active()!;
  }
  const published = keys.published(clock() - maxTokenLifetime);
  const privateKey = (await importJWK(JSON.parse(row.private_jwk) as JWK, SIGNING_ALG)) as CryptoKey;
  return { kid: row.kid, privateKey, jwks: { keys: published.map((k) => JSON.parse(k) as JWK) } };
}
