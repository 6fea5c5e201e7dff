/** The few summaries the benchmarks print, in one place so every bench reads its rounds the same way. */

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/** The median: the mean of the two middle values for an even count. */
export function median(xs: readonly number[]): number {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The value at the middle position (the upper of the two for an even count; NaN for none): a time that was measured. */
export function middleValue(xs: readonly number[]): number {
  return sorted(xs)[Math.floor(xs.length / 2)] ?? Number.NaN;
}

/** The nearest-rank quantile (`q` in (0, 1]; 1 is the largest; NaN for none). */
export function quantile(xs: readonly number[], q: number): number {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
}

/** First and third quartile: the middle half of a set of per-round figures. */
export function quartiles(xs: readonly number[]): [number, number] {
  const s = sorted(xs);
  return [s[Math.floor((s.length - 1) / 4)]!, s[Math.ceil(((s.length - 1) * 3) / 4)]!];
}
