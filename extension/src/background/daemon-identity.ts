import { IDENTITY_PROOF_TYP, identityClaims, type EcPublicJwk } from '#shared/admin-api.js';
import { DaemonError, callDaemon } from './daemon-client.js';
import { randomToken, syncDaemonClock } from './proof.js';

const utf8 = new TextEncoder();

function fromBase64url(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function json(part: string): unknown {
  const bytes = fromBase64url(part);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

export function impostorMessage(url: string): string {
  return `Something else is answering on ${new URL(url).host} — not your Mandate daemon. Mandate sent it nothing; stop that program and start the daemon.`;
}

/**
 * Before any credential goes to the daemon's address, whatever answers there must sign a fresh challenge,
 * this extension's origin and that address with the identity key pinned at pairing. Anything else (a squatter
 * on the port, a relay, a reset daemon) fails closed with DaemonError kind `impostor`.
 */
export async function verifyDaemonIdentity(url: string, pinned: EcPublicJwk): Promise<void> {
  const challenge = randomToken(32);
  const daemonOrigin = new URL(url).origin;
  const answer = await callDaemon({ url }, 'identity', { challenge, url: daemonOrigin }).catch((e: unknown) => {
    if (e instanceof DaemonError && e.kind === 'unreachable') throw e;
    throw new DaemonError('impostor', 'impostor', impostorMessage(url));
  });
  const [header, payload, signature, ...rest] = answer.proof.split('.');
  const h = json(header ?? '') as { alg?: unknown; typ?: unknown } | undefined;
  const claims = identityClaims.safeParse(json(payload ?? ''));
  const sig = fromBase64url(signature ?? '');
  let valid = false;
  if (rest.length === 0 && h?.alg === 'ES256' && h.typ === IDENTITY_PROOF_TYP && claims.success && sig) {
    const key = await crypto.subtle.importKey('jwk', { ...pinned, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    valid =
      (await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig, utf8.encode(`${header}.${payload}`))) &&
      claims.data.challenge === challenge &&
      claims.data.origin === self.location.origin &&
      claims.data.url === daemonOrigin;
  }
  if (!valid || !claims.success) throw new DaemonError('impostor', 'impostor', impostorMessage(url));
  // DPoP proofs must carry a time within the daemon's window: take it from the daemon we just authenticated
  syncDaemonClock(claims.data.iat);
}
