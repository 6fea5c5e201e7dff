/**
 * Child process for old-generation.test.ts (run with `node --expose-gc --import tsx`): keeps a live set in the old
 * generation, then churns objects that live long enough to be promoted and die there, as a server's in-flight
 * requests do, and prints as one JSON line: the old generation's size after a full collection before the churn, its
 * largest during the churn, and how many full collections the churn took. With PERCENT set it runs
 * limitOldGenerationGrowth(PERCENT) first, as the daemon does once it listens.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { limitOldGenerationGrowth } from '../src/old-generation.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
if (process.env.PERCENT) limitOldGenerationGrowth(Number(process.env.PERCENT));

const oldMb = () => (getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0) / 1048576;
const turn = () => new Promise((r) => setImmediate(r));

const live = Array.from({ length: 150_000 }, (_, i) => ({ i, text: `kept ${i}`, more: [i, i + 1] })); // about 16 MB
gc();
gc(); // promoted, and V8 has set the old generation's limit from this size
const afterFull = oldMb();

let fullCollections = 0;
const watch = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullCollections++;
});
watch.observe({ entryTypes: ['gc'] });

// a ring of in-flight objects: each lives through many scavenges, so it is promoted, then dies in the old generation
const ring: object[] = new Array(40_000);
let largest = 0;
for (let batch = 0; batch < 400; batch++) {
  for (let i = 0; i < 2_000; i++) ring[(batch * 2_000 + i) % ring.length] = { batch, i, text: `in flight ${batch}/${i}`, body: [batch, i, 0, 0] };
  await turn();
  largest = Math.max(largest, oldMb());
}
await turn(); // the observer's last entries
watch.disconnect();
process.stdout.write(`${JSON.stringify({ afterFull, largest, fullCollections, kept: live.length })}\n`);
