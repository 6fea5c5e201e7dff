/**
 * Child process for young-generation.test.ts (run with `node --expose-gc --import tsx`): allocates like a busy
 * server (short-lived objects, some surviving a few collections, the event loop turning between batches) and
 * prints, as one JSON line, the young generation's committed size in MB at start, its largest under load, its size
 * (and capacity) after a quiet spell, and its largest under load again; with SPIN set, the process is busy for a
 * while before that second load starts. With CAP_MB set it runs capYoungGeneration(CAP_MB) first, as the daemon
 * does once it listens.
 */
import { capYoungGeneration, newSpaceBytes, youngGenerationCapacity } from '../src/young-generation.js';

const newSpaceMb = () => newSpaceBytes() / 1048576;
const capacityMb = () => Math.round(youngGenerationCapacity() / 1048576);
const turn = () => new Promise((r) => setImmediate(r));
const gc = (globalThis as { gc?: (o: { type: 'minor' }) => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

let kept: object[] = [];
/** Allocates for `ms` (longer than the cap's one-second check), turning the event loop between batches. */
async function load(ms: number): Promise<number> {
  let largest = 0;
  for (const end = performance.now() + ms; performance.now() < end; ) {
    for (let i = 0; i < 2000; i++) {
      kept.push({ i, text: `request ${i}` });
      if (kept.length > 50_000) kept = [];
    }
    await turn();
    largest = Math.max(largest, newSpaceMb());
  }
  return largest;
}

let sink = 0;
/** Keeps the CPU busy for `ms` while allocating next to nothing, so the cap's once-a-second check sees a busy process. */
async function spin(ms: number): Promise<void> {
  for (const end = performance.now() + ms; performance.now() < end; ) {
    for (let i = 0; i < 5_000_000; i++) sink = (sink * 31 + i) | 0;
    await turn();
  }
}

const atStart = newSpaceMb();
const capMb = process.env.CAP_MB ? Number(process.env.CAP_MB) : undefined;
if (capMb !== undefined) capYoungGeneration(capMb);
const underLoad = await load(2500);
let afterQuiet = newSpaceMb();
if (process.env.QUIET) {
  // V8 shrinks the young generation at a collection once little has been allocated for a few seconds
  kept = [];
  for (let i = 0; i < 10 && afterQuiet >= underLoad; i++) {
    await new Promise((r) => setTimeout(r, 1500));
    gc({ type: 'minor' });
    await turn();
    afterQuiet = newSpaceMb();
  }
}
const afterQuietCapacity = capacityMb();
if (process.env.SPIN) {
  // busy before the load, while the quiet spell's uncommitted semi-space makes the committed size read half the
  // capacity; then collections that keep a lot, with no turn of the event loop (so no observer callback) between them
  await spin(1200);
  for (let i = 0; i < 60_000; i++) kept.push({ i, text: `request ${i}` });
}
const underLoadAgain = await load(2500);
process.stdout.write(`${JSON.stringify({ atStart, underLoad, afterQuiet, afterQuietCapacity, underLoadAgain })}\n`);
