/**
 * Loaded with `--import` into a server bench/alloc.ts measures. The first SIGUSR2 starts V8's sampling heap
 * profiler with objects the garbage collector has already freed included (so it counts every allocation, not only
 * what is still alive); the next one stops it and writes the profile as JSON to HEAP_SAMPLE_OUT, then a line
 * `heap-sample written` to stderr. SIGUSR1 is left alone (Node's inspector uses it).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.HEAP_SAMPLE_OUT;
if (out === undefined) throw new Error('heap-sampler: set HEAP_SAMPLE_OUT to the file the profile goes to');
/** Bytes between samples: small enough that a request's few KB are sampled many times over a run. */
const INTERVAL = 1024;

const session = new Session();
session.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));

let sampling = false;
process.on('SIGUSR2', () => {
  void (async () => {
    if (!sampling) {
      sampling = true;
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling', {
        samplingInterval: INTERVAL,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      process.stderr.write('heap-sample started\n');
      return;
    }
    sampling = false;
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
    writeFileSync(out, JSON.stringify(profile));
    process.stderr.write('heap-sample written\n');
  })();
});
