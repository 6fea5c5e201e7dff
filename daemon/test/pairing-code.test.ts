import { describe, expect, it } from 'vitest';
import { pairingCode, sampleSymbols } from '../src/crypto.js';

describe('pairing code symbols: uniform by rejection sampling', () => {
  const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

  it('uses every byte below 240 exactly once per symbol group and rejects 240–255 (no modulo bias)', () => {
    // All 256 byte values once, the 16 biased ones (240–255) first: `b % 30` without rejection would use them
    // and give symbols 0–15 one hit more than the rest.
    const all = Uint8Array.from({ length: 256 }, (_, i) => (i + 240) % 256);
    let served = false;
    const out = sampleSymbols(ALPHABET, 240, (n) => {
      if (served) throw new Error(`asked for ${n} more bytes: a rejected byte was used`);
      served = true;
      return all;
    });
    const counts = new Map<string, number>();
    for (const ch of out) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect([...counts.values()]).toEqual(Array(30).fill(8));
  });

  it('draws again when bytes are rejected', () => {
    const batches = [Uint8Array.from([255, 240, 0]), Uint8Array.from([29, 30])];
    expect(sampleSymbols(ALPHABET, 3, () => batches.shift()!)).toBe('A9A');
  });

  it('makes codes like K7QM-2XWD from the alphabet', () => {
    expect(pairingCode()).toMatch(/^[ABCDEFGHJKMNPQRSTVWXYZ2-9]{4}-[ABCDEFGHJKMNPQRSTVWXYZ2-9]{4}$/);
  });
});
