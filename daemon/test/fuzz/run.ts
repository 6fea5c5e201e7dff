/**
 * `npm run fuzz -- --cases 100000 --seed 42 [--only http,tokens]`: every fuzz property with one seed.
 * Prints cases/s per property and a summary; on failure, the seed, fast-check's replay path, and the shrunk
 * counterexample, and exits 1.
 */
import { runFuzz, type PartResult } from './suite.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const cases = Number(arg('cases') ?? 10_000);
const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
const only = arg('only')?.split(',');
if (!Number.isSafeInteger(cases) || cases < 1 || !Number.isSafeInteger(seed)) {
  process.stderr.write('usage: npm run fuzz -- [--cases N] [--seed S] [--only http,tokens,sender,payloads,intercept]\n');
  process.exit(2);
}

process.stdout.write(`fuzzing with seed ${seed}, ${cases} cases\n`);
const started = performance.now();
const line = (p: PartResult) =>
  `${p.failure ? 'FAIL' : 'ok  '} ${p.name.padEnd(10)} ${String(p.cases).padStart(7)} cases  ${(p.ms / 1000).toFixed(1).padStart(6)} s  ${Math.round(
    p.cases / (p.ms / 1000),
  )
    .toString()
    .padStart(7)} cases/s${p.detail ? `  ${p.detail}` : ''}`;
const results = await runFuzz({ cases, seed, ...(only ? { only } : {}), onPart: (p) => process.stdout.write(`${line(p)}\n`) });

const total = results.reduce((n, p) => n + p.cases, 0);
const secs = (performance.now() - started) / 1000;
const failed = results.filter((p) => p.failure);
process.stdout.write(`\n${total} cases in ${secs.toFixed(1)} s (${Math.round(total / secs)} cases/s), ${failed.length} properties failed\n`);
for (const p of failed) {
  const f = p.failure!;
  process.stdout.write(`\n${p.name} failed (seed ${f.seed}, path "${f.path}")\n  ${f.error}\n  counterexample: ${f.counterexample}\n`);
  process.stdout.write(`  replay: npm run fuzz -- --seed ${f.seed} --cases ${cases} --only ${p.name}\n`);
}
process.exit(failed.length ? 1 : 0);
