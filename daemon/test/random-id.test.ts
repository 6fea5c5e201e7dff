/** Record ids come from a pooled CSPRNG buffer (daemon/src/crypto.ts): each is 128 fresh bits, never handed out twice. */
import { expect, it } from 'vitest';
import { randomId } from '../src/crypto.js';

it('gives 128-bit base64url ids, all different, across many pool refills', () => {
  const ids = Array.from({ length: 5_000 }, () => randomId('jti_')); // 5,000 × 16 bytes: about 20 refills of the pool
  for (const id of ids) expect(id).toMatch(/^jti_[A-Za-z0-9_-]{22}$/);
  expect(new Set(ids).size).toBe(ids.length); // a pool reused without refilling would repeat whole ids
});
