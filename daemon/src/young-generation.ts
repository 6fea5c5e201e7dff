import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { growthSetByLauncher, limitOldGenerationGrowth } from './old-generation.js';

/**
 * The daemon's semi-space size in MB: a 4 MB young generation, which keeps it under the 100 MB RSS goal under load
 * (bench/README.md). The benchmarks' same-stack ceilings run with it too (bench/peers/daemon-memory.ts).
 */
export const DAEMON_SEMI_SPACE_MB = 2;

/**
 * Keeps V8's young generation at about `semiSpaceMb` per semi-space, from inside the running daemon.
 *
 * Why: under load V8 doubles the young generation's two semi-spaces up to 16 MB each and keeps them, which took
 * the daemon over 100 MB. `node --max-semi-space-size=2` prevents that, but that flag on node's command line
 * makes V8 reject the code cache Node embeds for its own modules (it changes `v8.cachedDataVersionTag()`; npm start's
 * `--no-memory-reducer` does not), which cost about 30 ms of every cold start (bench/README.md, "The young
 * generation, capped from inside").
 *
 * How: V8 reads `--semi-space-growth-factor` each time a scavenge decides to grow the young generation. A timer
 * checks once a second: at the cap (by capacity, `youngGenerationCapacity`) it sets the factor to 1 (no growth).
 * When V8 has shrunk the semi-spaces after a quiet spell and the process is busy again (it used CPU since the last
 * check), it sets the factor to 2 and watches every collection until they are back at the cap, then sets 1 again.
 * Watching Node's `gc` performance entries cost the exchange path 5-9 % more CPU per request, so it lasts only
 * while they regrow (and a timer alone let a load that keeps much alive grow them past the cap between two
 * checks). Idle, growth stays off and the timer wakes once a second. A flag set while running touches only code
 * compiled after it, so this starts once the daemon listens.
 *
 * It holds the young generation at the cap, but cannot bring it down to it: start-up's allocations have already grown
 * it to about 8 MB by then. V8 shrinks it in the first quiet spell, and from then on it stays at the cap (bench/README.md,
 * "Eight rounds of 2 s").
 *
 * Returns the function that stops it (the growth factor is left as it was last set). The daemon does not call
 * this when node was launched with a `--max-semi-space-size` of its own (`semiSpaceSetByLauncher`).
 */
export function capYoungGeneration(semiSpaceMb: number): () => void {
  const cap = 2 * semiSpaceMb * 1024 * 1024; // V8 reports the new space's size as both semi-spaces together
  let factor = 0;
  const setFactor = (f: 1 | 2) => {
    if (f === factor) return;
    factor = f;
    setFlagsFromString(`--semi-space-growth-factor=${f}`);
  };
  const atCap = () => youngGenerationCapacity() > 0.75 * cap; // V8 grows by doubling: the size below the cap is half of it
  const collections = new PerformanceObserver(() => {
    if (!atCap()) return;
    setFactor(1);
    collections.disconnect();
  });
  let cpu = process.cpuUsage();
  let at = performance.now();
  const check = () => {
    const [nowCpu, now] = [process.cpuUsage(), performance.now()];
    const busy = (nowCpu.user + nowCpu.system - cpu.user - cpu.system) / 1000 > 0.1 * (now - at); // over a tenth of a core
    [cpu, at] = [nowCpu, now];
    if (factor === 2) return; // regrowing: the observer ends it
    if (busy && !atCap()) {
      setFactor(2);
      collections.observe({ entryTypes: ['gc'] });
    } else setFactor(1);
  };
  check();
  const timer = setInterval(check, 1000).unref();
  return () => {
    clearInterval(timer);
    collections.disconnect();
  };
}

/**
 * What `mandate daemon` does once it listens, and the benchmarks' same-stack servers too: caps the young generation at
 * DAEMON_SEMI_SPACE_MB unless node was launched with a size of its own, and limits the old generation's growth
 * (old-generation.ts) unless node was launched with a growth of its own. Returns the function that stops the young
 * generation's steering, if it runs.
 */
export function capAsTheDaemonDoes(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): (() => void) | undefined {
  if (!growthSetByLauncher(execArgv)) limitOldGenerationGrowth();
  return semiSpaceSetByLauncher(execArgv, nodeOptions) ? undefined : capYoungGeneration(DAEMON_SEMI_SPACE_MB);
}

/** The memory committed to the young generation: both semi-spaces, or one while V8 has uncommitted the idle one. */
export function newSpaceBytes(): number {
  return newSpace()?.space_size ?? 0;
}

/**
 * The young generation's capacity, both semi-spaces, whether or not V8 has committed the idle one: what a scavenge
 * grows from. The steering must read this, not the committed size: after a quiet spell V8 uncommits the idle
 * semi-space, the committed size then reads half the capacity, and growth turned on from there doubled a young
 * generation already at the cap. It counts usable bytes, a little under the semi-spaces' nominal size.
 */
export function youngGenerationCapacity(): number {
  const space = newSpace();
  return space ? 2 * (space.space_used_size + space.space_available_size) : 0;
}

const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');

/** Whether node was started with its own `--max-semi-space-size`, on its command line or in NODE_OPTIONS. */
export function semiSpaceSetByLauncher(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(a));
}
