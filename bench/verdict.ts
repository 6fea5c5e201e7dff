/**
 * What a benchmark row says about its goal in issue 14: met, or not met, and then whether a bound measured in the
 * same run shows that no server on this stack can meet it on this machine. A bound is a ceiling that does all a
 * path must do (what the standards and the security checklist require of it) and nothing else, or, for a latency
 * or start-up goal, a server doing no work at all. A ceiling that skips a required step (a body read without the
 * caller's authentication, say) is not a bound: it would claim more room than any correct server has.
 */

/** A same-run figure that bounds what any server here can reach on the row's measure. */
export interface Bound {
  label: string;
  value: number;
}

/** A goal of at least `goal` times the reference (req/s ratios: higher is better). Of several bounds, the best is the limit. */
export function atLeastVerdict(goal: number, value: number, bounds: readonly Bound[]): string {
  const head = `goal ≥ ${goal}×`;
  if (value >= goal) return `${head} met`;
  const best = bestOf(bounds, (a, b) => a.value >= b.value);
  if (best === undefined) return `${head} NOT met`;
  const reach = `the ${best.label} ceiling reaches ${best.value.toFixed(2)}×`;
  return best.value < goal ? `${head} NOT met: cannot be here, ${reach}` : `${head} NOT met, and ${reach}: room left`;
}

/** A goal of at most `goal` in `unit` (latency, start-up: lower is better). Of several bounds, the lowest is the limit. */
export function atMostVerdict(what: string, goal: number, unit: string, value: number, bounds: readonly Bound[]): string {
  const head = `${what} ≤ ${goal} ${unit}`;
  if (value <= goal) return `${head} met`;
  const best = bestOf(bounds, (a, b) => a.value <= b.value);
  if (best === undefined) return `${head} NOT met`;
  const reach = `${best.label} takes ${best.value.toFixed(1)} ${unit}`;
  return best.value > goal ? `${head} NOT met: cannot be here, ${reach}` : `${head} NOT met, and ${reach}: room left`;
}

function bestOf(bounds: readonly Bound[], better: (a: Bound, b: Bound) => boolean): Bound | undefined {
  let best: Bound | undefined;
  for (const b of bounds) if (Number.isFinite(b.value) && (best === undefined || better(b, best))) best = b;
  return best;
}
