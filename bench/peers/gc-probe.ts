/**
 * Loaded with `--import` into a server bench/paired.ts measures (`BENCH_PAIR_GC=1`): counts the garbage collector's
 * pauses by kind from Node's `gc` performance entries and writes the running totals, with the young generation's
 * size, to GC_PROBE_OUT as JSON every 200 ms (written beside it, then renamed, so a reader never sees half a file).
 * Watching `gc` entries costs the server some CPU of its own, so the paired CPU figures are taken without it
 * unless asked.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const out = process.env.GC_PROBE_OUT;
if (out === undefined) throw new Error('gc-probe: set GC_PROBE_OUT to the file the totals go to');

/** Pauses and their milliseconds: scavenges (young generation) and every other kind (mark-compact and the rest). */
const totals = { scavenges: 0, scavengeMs: 0, others: 0, otherMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind; // a gc entry's detail (Node's typings lack it)
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      totals.scavenges++;
      totals.scavengeMs += entry.duration;
    } else {
      totals.others++;
      totals.otherMs += entry.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

setInterval(() => {
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  writeFileSync(`${out}.part`, JSON.stringify({ ...totals, newSpaceBytes: newSpace }));
  renameSync(`${out}.part`, out);
}, 200).unref();
