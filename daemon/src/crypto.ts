import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256-bit random value, base64url, with a readable prefix so leaked values are recognisable. */
export function randomSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** Short random identifier (128 bits) for records. */
export function randomId(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('base64url')}`;
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret against its stored SHA-256 hash. */
export function matchesHash(presented: string, storedHash: Uint8Array): boolean {
  const candidate = sha256(presented);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789'; // no I, L, O, U, 0, 1: easy to read aloud and type

/** One-time pairing code like `K7QM-2XWD` (8 symbols, ~39 bits), shown by the daemon and typed by the person. */
export function pairingCode(): string {
  const bytes = randomBytes(8);
  let out = '';
  for (const b of bytes) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/** Normalises what a person typed: case, spaces and dashes do not matter. */
export function normalisePairingCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}
