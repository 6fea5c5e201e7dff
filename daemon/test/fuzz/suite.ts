/**
 * Runs every fuzz property with one seed and a total case budget, split across the daemon's HTTP surface,
 * tokens, and the extension's message boundary. Used by the seeded vitest slice and by `npm run fuzz`.
 */
import fc from 'fast-check';
import { interceptProperty, payloadProperty, senderProperty } from '../../../extension/test/fuzz/boundary-property.js';
import { httpProperty, startHttpWorld } from './http-property.js';
import { startTokenWorld, tokenProperty } from './token-property.js';

export interface PartResult {
  name: string;
  cases: number;
  ms: number;
  /** Present when the property failed: replay data and the shrunk counterexample. */
  failure?: { seed: number; path: string; counterexample: string; error: string };
  detail?: string;
}

/** Share of the budget per property (the extension ones are pure and cheap, tokens cost several requests each). */
const SHARES = { http: 0.7, tokens: 0.12, sender: 0.06, payloads: 0.06, intercept: 0.06 } as const;

/** JSON of a counterexample with long strings cut, so a 70 kB value prints as its shape. */
export function shortJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.length > 120 ? `${x.slice(0, 60)}…(${x.length} chars)` : x));
}

function toPart<T>(name: string, ms: number, r: fc.RunDetails<T>, detail?: string): PartResult {
  const part: PartResult = { name, cases: r.numRuns, ms, ...(detail ? { detail } : {}) };
  if (r.failed) {
    part.failure = {
      seed: r.seed,
      path: r.counterexamplePath ?? '',
      counterexample: shortJson(r.counterexample),
      error: r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance),
    };
  }
  return part;
}

export async function runFuzz(opts: { cases: number; seed: number; only?: string[]; onPart?: (p: PartResult) => void }): Promise<PartResult[]> {
  const results: PartResult[] = [];
  const want = (name: keyof typeof SHARES) => !opts.only || opts.only.includes(name);
  const budget = (name: keyof typeof SHARES) => Math.max(1, Math.round(opts.cases * SHARES[name]));
  const params = (name: keyof typeof SHARES) => ({ numRuns: budget(name), seed: opts.seed, endOnFailure: false });
  const done = (p: PartResult) => {
    results.push(p);
    opts.onPart?.(p);
  };

  if (want('http')) {
    const w = await startHttpWorld();
    try {
      const t0 = performance.now();
      const r = await fc.check(httpProperty(w), params('http'));
      const statuses = [...w.stats.status.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      done(toPart('http', performance.now() - t0, r, `statuses ${statuses}`));
    } finally {
      await w.target.close();
    }
  }
  if (want('tokens')) {
    const w = await startTokenWorld();
    try {
      const t0 = performance.now();
      const r = await fc.check(tokenProperty(w), params('tokens'));
      const kinds = [...w.counts.entries()]
        .sort()
        .map(([k, n]) => `${k}×${n}`)
        .join(' ');
      done(toPart('tokens', performance.now() - t0, r, kinds));
    } finally {
      await w.target.close();
    }
  }
  for (const [name, prop] of [
    ['sender', senderProperty],
    ['payloads', payloadProperty],
    ['intercept', interceptProperty],
  ] as const) {
    if (!want(name)) continue;
    const t0 = performance.now();
    const r = fc.check(prop as fc.IProperty<unknown[]>, params(name));
    done(toPart(name, performance.now() - t0, r));
  }
  return results;
}
