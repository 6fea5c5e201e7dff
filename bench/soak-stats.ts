/** RSS samples (seconds since start, MB) summarised: start, peak, end, and the least-squares slope over the second half in MB per minute. */
export function rssSummary(samples: readonly { t: number; mb: number }[]): { start: number; peak: number; end: number; slope: number } {
  if (samples.length === 0) throw new RangeError('rssSummary: no samples');
  const half = samples.slice(Math.floor(samples.length / 2));
  const n = half.length;
  const mt = half.reduce((a, s) => a + s.t, 0) / n;
  const mm = half.reduce((a, s) => a + s.mb, 0) / n;
  const cov = half.reduce((a, s) => a + (s.t - mt) * (s.mb - mm), 0);
  const vt = half.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  return {
    start: samples[0]!.mb,
    peak: Math.max(...samples.map((s) => s.mb)),
    end: samples[samples.length - 1]!.mb,
    slope: vt === 0 ? 0 : (cov / vt) * 60,
  };
}
