import { setFlagsFromString } from 'node:v8';

/**
 * How far, in percent, V8 lets the daemon's old generation grow past what its last full collection left before it
 * starts the next one. V8 sets a limit after every full collection: what survived, times a factor it picks from how
 * cheap collecting was (up to 4 on a small heap that is cheap to collect), and at least 8 MB more. Under the soak's
 * load, promotion leaves garbage in the old generation at about 5 MB a minute; with V8's own factor the daemon's
 * 17 MB that survived grew to 53 MB of old generation before the next collection, and RSS peaked near 120 MB, far
 * above where it ends (bench/README.md, "The old generation's growth"). At 50 % the limit is about 25 MB: the next
 * collection comes about every two minutes there, and RSS stays where it ends.
 */
export const DAEMON_HEAP_GROWING_PERCENT = 50;

/**
 * Makes V8 grow the old generation's limit by `percent` after each full collection, from inside the running
 * process: V8 reads `--heap-growing-percent` each time it sets the limit. Set on node's command line, the flag would
 * make V8 reject the code cache Node embeds for its own modules, as `--max-semi-space-size` does (young-generation.ts).
 */
export function limitOldGenerationGrowth(percent: number = DAEMON_HEAP_GROWING_PERCENT): void {
  if (!Number.isInteger(percent) || percent <= 0) throw new RangeError(`heap growing percent must be a positive integer, not ${percent}`);
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Whether node was started with its own `--heap-growing-percent` (only node's command line can carry it). */
export function growthSetByLauncher(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
}
