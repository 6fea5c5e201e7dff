import { hash, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

/** 256-bit random value, base64url, with a readable prefix so leaked values are recognisable. */
export function randomSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

// Record ids (one per issued token) come from a pool filled 4 KiB at a time from the same CSPRNG: one call into
// OpenSSL per 256 ids instead of one each. Every byte is handed out once.
const ID_BYTES = 16;
const pool = Buffer.alloc(4096);
let used = pool.length;

/** Short random identifier (128 bits) for records. */
export function randomId(prefix: string): string {
  if (used + ID_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const id = pool.toString('base64url', used, used + ID_BYTES);
  used += ID_BYTES;
  return `${prefix}${id}`;
}

// One-shot `hash` rather than createHash().update().digest(): no Hash object per call, 0.54 against 0.91 µs for a
// secret's length here. It hashes every presented client secret and admin credential.
export function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Constant-time comparison of a presented secret against its stored SHA-256 hash. */
export function matchesHash(presented: string, storedHash: Uint8Array): boolean {
  const candidate = sha256(presented);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789'; // no I, L, O, U, 0, 1: easy to read aloud and type

/** One-time pairing code like `K7QM-2XWD` (8 symbols, ~39 bits), shown by the daemon and typed by the person. */
export function pairingCode(): string {
  const out = sampleSymbols(CODE_ALPHABET, 8, randomBytes);
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/**
 * `count` symbols drawn uniformly from `alphabet` by rejection sampling: a byte is used only below the largest
 * multiple of the alphabet's length (240 for 30 symbols), so `byte % length` favours no symbol.
 */
export function sampleSymbols(alphabet: string, count: number, bytes: (n: number) => Uint8Array): string {
  if (alphabet.length < 2 || alphabet.length > 256) throw new TypeError('alphabet must have 2 to 256 symbols');
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < count) {
    for (const b of bytes(count - out.length)) {
      if (b < limit && out.length < count) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

/** Normalises what a person typed: case, spaces and dashes do not matter. */
export function normalisePairingCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}
