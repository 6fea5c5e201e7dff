/**
 * The extension's side of the admin API, for daemon tests: a non-extractable P-256 key made with WebCrypto,
 * pairing from an extension Origin, and DPoP-proofed requests (RFC 9449), as extension/src/background does.
 */
import { SignJWT, exportJWK } from 'jose';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import type { EcPublicJwk, PairResponse } from '#shared/admin-api.js';
import { adminClient } from '#shared/admin-client.js';
import { ADMIN_PREFIX } from '#shared/admin-contract.js';
import type { TestDaemon } from './harness.js';

export const EXTENSION_ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

export async function proofKey(): Promise<{ keys: webcrypto.CryptoKeyPair; jwk: EcPublicJwk }> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { kty, crv, x, y } = await exportJWK(keys.publicKey);
  return { keys, jwk: { kty: kty as 'EC', crv: crv as 'P-256', x: x!, y: y! } };
}

export interface ProofOptions {
  /** Proof claims/headers to override (to build wrong proofs). */
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string;
  ath?: string;
  typ?: string;
  /** Sign with this key instead (its public JWK goes in the header). */
  signWith?: { keys: webcrypto.CryptoKeyPair; jwk: EcPublicJwk };
}

export async function dpopProof(
  key: { keys: webcrypto.CryptoKeyPair; jwk: EcPublicJwk },
  method: string,
  url: string,
  credential: string,
  now: number,
  o: ProofOptions = {},
): Promise<string> {
  const signer = o.signWith ?? key;
  const u = new URL(url);
  return new SignJWT({
    htm: o.htm ?? method,
    htu: o.htu ?? `${u.origin}${u.pathname}`,
    iat: o.iat ?? now,
    jti: o.jti ?? randomBytes(16).toString('base64url'),
    ath: o.ath ?? createHash('sha256').update(credential).digest('base64url'),
  })
    .setProtectedHeader({ alg: 'ES256', typ: o.typ ?? 'dpop+jwt', jwk: signer.jwk })
    .sign(signer.keys.privateKey);
}

export interface PairedExtension extends PairResponse {
  key: { keys: webcrypto.CryptoKeyPair; jwk: EcPublicJwk };
  origin: string;
  /** A proofed admin request; `headers` are added last (override Origin, DPoP, Authorization). */
  request(method: string, path: string, body?: unknown, opts?: { headers?: Record<string, string | undefined>; proof?: ProofOptions }): Promise<Response>;
  /** The headers of one proofed request, for replays. */
  headersFor(method: string, path: string, proof?: ProofOptions): Promise<Record<string, string>>;
}

export async function pairExtension(d: TestDaemon, o: { code?: string; origin?: string } = {}): Promise<PairedExtension> {
  const key = await proofKey();
  const origin = o.origin ?? EXTENSION_ORIGIN;
  const paired = await adminClient(fetch, d.url).call('pair', { code: o.code ?? d.pairingCode.code, jwk: key.jwk }, { headers: { origin } });
  const headersFor = async (method: string, path: string, proof: ProofOptions = {}) => ({
    authorization: `DPoP ${paired.credential}`,
    dpop: await dpopProof(key, method, d.url + ADMIN_PREFIX + path, paired.credential, d.clock(), proof),
    origin,
  });
  return {
    ...paired,
    key,
    origin,
    headersFor,
    async request(method, path, body, opts = {}) {
      const headers: Record<string, string> = {
        ...(await headersFor(method, path, opts.proof)),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      };
      for (const [k, v] of Object.entries(opts.headers ?? {})) {
        if (v === undefined) delete headers[k];
        else headers[k] = v;
      }
      return fetch(d.url + ADMIN_PREFIX + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    },
  };
}
