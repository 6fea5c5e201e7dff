import type { EcPublicJwk } from '#shared/admin-api.js';

/** The extension's proof key: the private half is non-extractable and never leaves this browser profile. */
export interface ProofKey {
  keys: CryptoKeyPair;
  jwk: EcPublicJwk;
}

const utf8 = new TextEncoder();

/** Seconds to add to this browser's clock to get the daemon's, learned from its signed identity proof. */
let daemonClockOffset = 0;
export function syncDaemonClock(daemonIat: number): void {
  daemonClockOffset = daemonIat - Math.floor(Date.now() / 1000);
}

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const b64json = (value: unknown): string => base64url(utf8.encode(JSON.stringify(value)));

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A fresh ECDSA P-256 key pair made at pairing; only the public half can be exported. */
export async function newProofKey(): Promise<ProofKey> {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
  if (!x || !y) throw new Error('WebCrypto did not export the public key');
  return { keys, jwk: { kty: 'EC', crv: 'P-256', x, y } };
}

/**
 * A DPoP proof (RFC 9449 §4.2) for one admin request: ES256 over method, URL without query or fragment,
 * time, a random jti and the hash of the credential it travels with. The daemon accepts each jti once.
 */
export async function dpopProof(key: ProofKey, method: string, url: string, credential: string): Promise<string> {
  const u = new URL(url);
  const ath = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(credential))));
  const input = `${b64json({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })}.${b64json({
    htm: method,
    htu: `${u.origin}${u.pathname}`,
    iat: Math.floor(Date.now() / 1000) + daemonClockOffset,
    jti: randomToken(18),
    ath,
  })}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.keys.privateKey, utf8.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}
