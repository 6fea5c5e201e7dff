/** Public keys of the daemons this process started, so token matchers verify signatures synchronously. */
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

const keys = new Map<string, JsonWebKey>();

export async function rememberJwks(daemonUrl: string): Promise<void> {
  const res = await fetch(`${daemonUrl}/jwks.json`);
  const body = (await res.json()) as { keys?: JsonWebKey[] };
  for (const k of body.keys ?? []) if (typeof k.kid === 'string') keys.set(k.kid, k);
}

export type Verified = { ok: true; header: Record<string, unknown>; claims: Record<string, unknown> } | { ok: false; reason: string };

function part(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies a JWT against the keys of a daemon started by the kit (ES256 or EdDSA). */
export function verifyMandateJwt(token: unknown): Verified {
  if (typeof token !== 'string') return { ok: false, reason: `not a string but ${token === null ? 'null' : typeof token}` };
  const [h, p, s, ...rest] = token.split('.');
  const header = part(h);
  const claims = part(p);
  if (!header || !claims || s === undefined || rest.length > 0) return { ok: false, reason: 'not a signed JWT (three base64url parts)' };
  const jwk = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
  if (!jwk) return { ok: false, reason: `signed with key ${String(header.kid)}, which no Mandate daemon of this test run published` };
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const good =
    header.alg === 'ES256'
      ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
      : header.alg === 'EdDSA'
        ? verify(null, data, key, signature)
        : false;
  return good ? { ok: true, header, claims } : { ok: false, reason: `bad signature (alg ${String(header.alg)})` };
}
