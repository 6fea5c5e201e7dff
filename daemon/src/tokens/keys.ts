import type { Database } from 'better-sqlite3';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { SIGNING_ALG } from '../../../shared/src/oauth.js';
import type { Clock } from '../clock.js';
import { randomId } from '../crypto.js';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  /** Public keys to publish and verify with, current first. */
  jwks: { keys: JWK[] };
}

interface KeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
}

/**
 * Loads the active ES256 signing key from the (0600) database, generating one locally on first start.
 * Retired keys stay published until every token they signed has expired.
 */
export async function loadSigningKeys(db: Database, clock: Clock, maxTokenLifetime: number): Promise<SigningKeys> {
  const active = () =>
    db.prepare<[], KeyRow>('SELECT kid, private_jwk, public_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1').get();
  let row = active();
  if (!row) {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const kid = randomId('k_');
    const priv = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    const pub = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    db.prepare('INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?, ?)').run(
      kid,
      SIGNING_ALG,
      JSON.stringify(priv),
      JSON.stringify(pub),
      clock(),
    );
    row = active()!;
  }
  const published = db
    .prepare<[number], { public_jwk: string }>(
      'SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL OR retired_at > ? ORDER BY retired_at IS NOT NULL, created_at DESC',
    )
    .all(clock() - maxTokenLifetime);
  const privateKey = (await importJWK(JSON.parse(row.private_jwk) as JWK, SIGNING_ALG)) as CryptoKey;
  return { kid: row.kid, privateKey, jwks: { keys: published.map((k) => JSON.parse(k.public_jwk) as JWK) } };
}
