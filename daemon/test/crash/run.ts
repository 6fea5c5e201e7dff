/**
 * `npm run crash -- --cycles 1000 [--seed S] [--torn-every 5]`: SIGKILLs the real daemon at random points
 * during approve / revoke / exchange / audit export, restarts it, and checks what it had acknowledged; every
 * `--torn-every`th cycle also cuts the WAL at a random offset; the kill comes 100 ms + up to `--spread-ms` into traffic. Needs the daemon built (`npm run crash` builds it).
 */
import { runCrashCycles, type CycleStats } from './cycles.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}
const cycles = Number(arg('cycles') ?? 100);
const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
const tornEvery = Number(arg('torn-every') ?? 5);
const spreadMs = Number(arg('spread-ms') ?? 900);
if (![cycles, seed, tornEvery, spreadMs].every(Number.isSafeInteger) || cycles < 1) {
  process.stderr.write('usage: npm run crash -- [--cycles N] [--seed S] [--torn-every K] [--spread-ms MS]\n');
  process.exit(2);
}
process.stdout.write(`crash cycles: ${cycles}, seed ${seed}, torn WAL every ${tornEvery || 'never'}\n`);
const t0 = performance.now();
let latest: CycleStats | undefined;
const report = (s: CycleStats) => {
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(`\n${JSON.stringify({ ...s, failures: s.failures.length, seconds: Math.round(secs) }, null, 2)}\n`);
  for (const f of s.failures.slice(0, 50)) process.stdout.write(`FAIL ${f}\n`);
};
// stopped early (Ctrl-C): say how far it got
process.once('SIGINT', () => {
  if (latest) report(latest);
  process.exit(130);
});
const stats = await runCrashCycles({
  cycles,
  seed,
  tornEvery,
  spreadMs,
  onCycle: (i, s) => {
    latest = s;
    if (i % 10 === 0 || i === cycles)
      process.stdout.write(`  ${i}/${cycles} cycles, ${s.failures.length} failures, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  },
});
report(stats);
process.exit(stats.failures.length ? 1 : 0);
