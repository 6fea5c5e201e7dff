/**
 * Bundles the compiled daemon and CLI (dist/daemon/src/cli/main.js, from `tsc -p tsconfig.build.json`) into one
 * CommonJS file, dist/daemon/mandate.cjs, which bin/mandate.js runs through a V8 code cache
 * (daemon/src/cli/code-cache.ts, built beside it as dist/daemon/loader.cjs: LOADER below).
 *
 * Why: Node resolves, reads and links each of the ~400 files of the unbundled graph (the daemon's own modules,
 * zod, jose, hono) one by one, and that was most of the daemon's cold start (bench/README.md, "Cold start").
 * One file cuts that to a single read, and with the code cache to no compiling at all ("A V8 code cache"); `vm.Script`,
 * which takes a code cache, runs scripts, not ES modules, hence CommonJS. Whitespace and syntax are minified;
 * identifiers are kept, so a stack trace in a bug report still names real functions. better-sqlite3's JavaScript is
 * bundled too (Node's loader took about 7 ms to resolve, read and compile its dozen files at every start:
 * bench/README.md, "Schemas built when first parsed"); only its native addon loads from node_modules, named by
 * store/sqlite-addon.ts, which looks where better-sqlite3's `bindings` would have. Every module imports zod as a
 * namespace (`import * as z from 'zod'`): the named `{ z }` import makes esbuild keep all of zod's locales, a third
 * of the bundle (daemon/test/bundle.test.ts fails if one comes back).
 *
 * What only `mandate daemon` needs (the server, Hono's Node adapter, which loads undici, the store) is imported
 * dynamically (cli/commands/daemon.ts); esbuild keeps such modules in the file but runs them only when imported, so
 * every other command (`mandate status`, `grants`, `--help`…) starts without evaluating them. An `import()` of anything
 * outside the bundle, Node's own modules included, would stay an `import()`, and a `vm.Script` has none (Node 20 gives
 * it one only as an experimental feature, behind a flag or with a warning): bundled code takes a Node module it loads
 * late with `process.getBuiltinModule` (audit/key.ts, clients/fetch-limited.ts), and daemon/test/bundle.test.ts fails
 * if an `import()` is left in the bundle.
 *
 * `#shared/*` resolves to dist/shared/src (the default condition), so the bundle holds exactly what tsc built.
 */
import { rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DAEMON_ENTRY = join(ROOT, 'dist/daemon/src/cli/main.js');
const OUT_DIR = join(ROOT, 'dist/daemon');
export const DAEMON_BUNDLE = join(OUT_DIR, 'mandate.cjs');

/** What both files this script builds are: one CommonJS file each, for Node 20, in dist/daemon, named `.cjs`. */
const COMMONJS_FOR_NODE = {
  outdir: OUT_DIR,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
} satisfies BuildOptions;

/** The bundle's esbuild options (daemon/test/bundle.test.ts builds with them too, in memory). */
export const BUNDLE_OPTIONS = {
  ...COMMONJS_FOR_NODE,
  entryPoints: { mandate: DAEMON_ENTRY },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  metafile: true,
  // CommonJS has no import.meta: the modules that read it (version.ts, store/sqlite-addon.ts) get the bundle's own URL
  define: { 'import.meta.url': '__mandate_bundle_url' },
  banner: { js: 'var __mandate_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
} satisfies BuildOptions;

/**
 * The loader bin/mandate.js requires: daemon/src/cli/code-cache.ts (Node's own modules only) as one CommonJS file,
 * dist/daemon/loader.cjs. bin/mandate.js is CommonJS too (bin/package.json), so `mandate` starts without Node's
 * ES-module loader, which an ES-module entry makes Node set up first: about a twentieth of the daemon's cold start
 * (bench/README.md, "Cold start: the launcher and the addon").
 */
export const LOADER = join(OUT_DIR, 'loader.cjs');
export const LOADER_OPTIONS = {
  ...COMMONJS_FOR_NODE,
  entryPoints: { loader: join(ROOT, 'dist/daemon/src/cli/code-cache.js') },
} satisfies BuildOptions;

export async function bundleDaemon(): Promise<{ bytes: number; inputs: number }> {
  // the ES-module build this replaced left chunks beside it; a stale one must not look like part of this build
  for (const stale of ['chunks', 'mandate.mjs', 'mandate.mjs.map']) rmSync(join(OUT_DIR, stale), { recursive: true, force: true });
  await build(LOADER_OPTIONS);
  const result = await build(BUNDLE_OPTIONS);
  return { bytes: statSync(DAEMON_BUNDLE).size, inputs: Object.keys(result.metafile.inputs).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bytes, inputs } = await bundleDaemon();
  console.log(`bundled ${inputs} modules into ${relative(ROOT, DAEMON_BUNDLE)} (${(bytes / 1024).toFixed(0)} KiB)`);
}
