/**
 * How many zod schemas `mandate daemon` builds before it is ready. Each schema zod builds (every `z.string()`,
 * every `.max()`, `.optional()` and object) cost the start about 50 µs: 450 of them were a tenth of a cold start
 * (bench/README.md, "Schemas built when first parsed"). The contracts build their schemas on first use (`z.lazy`,
 * shared/test/lazy-schemas.test.ts); this counts what is left, in the shipped bundle, so a schema built at import
 * anywhere on the start path (the daemon's own modules included, which that test cannot see) fails here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUNDLE_OPTIONS } from '../../scripts/bundle-daemon.js';

/**
 * When this test was written the count was 74, every one of them a `z.lazy` wrapper of an exported contract; a schema
 * built at import costs 3 to 30 more, and so does one built or parsed while the daemon starts.
 */
const BUDGET = 80;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** zod's one place every schema instance passes through once: the `_zod` internals are made for a new instance. */
const ZOD_INIT = 'function init(inst, def) {';

/** Counts each new schema instance in `globalThis.__mandateSchemas`. */
const countSchemas: Plugin = {
  name: 'count-zod-schemas',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]core[\\/]core\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(ZOD_INIT)) throw new Error(`zod's core no longer has "${ZOD_INIT}": update this test's probe`);
      const counted = source.replace(ZOD_INIT, `${ZOD_INIT} if (!inst._zod) globalThis.__mandateSchemas = (globalThis.__mandateSchemas ?? 0) + 1;`);
      return { contents: counted, loader: 'js' };
    });
  },
};

let dir: string;
let bundle: string;
beforeAll(async () => {
  // beside the shipped bundle's folder, so it finds package.json and better-sqlite3 as dist/daemon/mandate.cjs does
  dir = mkdtempSync(join(ROOT, 'dist', 'start-schemas-'));
  const result = await build({ ...BUNDLE_OPTIONS, outdir: dir, sourcemap: false, write: false, plugins: [countSchemas] });
  const out = result.outputFiles.find((f) => f.path.endsWith('.cjs'));
  if (!out) throw new Error('esbuild wrote no bundle');
  bundle = join(dir, 'mandate.cjs');
  writeFileSync(bundle, out.text);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`builds at most ${BUDGET} zod schemas before it is ready`, () => {
  const home = mkdtempSync(join(tmpdir(), 'mandate-schemas-'));
  try {
    // the CLI's own hook: `mandate daemon` calls `ready` once it serves; the count goes out, and SIGTERM stops it
    const probe = `
      const { main } = require(${JSON.stringify(bundle)});
      main(['daemon', '--port', '0', '--home', ${JSON.stringify(join(home, 'data'))}, '--json'], {
        ready() {
          process.stderr.write('\\nschemas=' + globalThis.__mandateSchemas + '\\n');
          process.kill(process.pid, 'SIGTERM');
        },
      });`;
    const r = spawnSync(process.execPath, ['-e', probe], {
      env: { ...process.env, MANDATE_KEY_DIR: join(home, 'keys'), MANDATE_POLICY: '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const count = Number(/^schemas=(\d+)$/m.exec(r.stderr)?.[1]);
    expect(count, r.stderr).toBeGreaterThan(0);
    expect(count, 'zod schemas built before `mandate daemon` is ready: build them on first use (z.lazy)').toBeLessThanOrEqual(BUDGET);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
