/**
 * Bundles the compiled daemon and CLI (dist/daemon/src/cli/main.js, from `tsc -p tsconfig.build.json`) into
 * dist/daemon/mandate.mjs, which bin/mandate.js runs, and the chunks it loads on demand (dist/daemon/chunks/).
 *
 * Why: Node resolves, reads and links each of the ~400 files of the unbundled graph (the daemon's own modules,
 * zod, jose, hono) one by one, and that was most of the daemon's cold start (bench/README.md, "Cold start").
 * One file cuts that to a single read and parse. Whitespace and syntax are minified; identifiers are kept, so a
 * stack trace in a bug report still names real functions. better-sqlite3 stays external: it is a native addon.
 * Every module imports zod as a namespace (`import * as z from 'zod'`): the named `{ z }` import makes esbuild keep
 * all of zod's locales, a third of the bundle (daemon/test/bundle.test.ts fails if one comes back).
 *
 * The server is split off: `mandate daemon` imports it dynamically (cli/commands/daemon.ts), so esbuild puts it in
 * a chunk of its own and every other command (`mandate status`, `grants`, `--help`…) starts without evaluating
 * the server, Hono's Node adapter (which loads undici) or the store.
 *
 * `#shared/*` resolves to dist/shared/src (the default condition), so the bundle holds exactly what tsc built.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DAEMON_ENTRY = join(ROOT, 'dist/daemon/src/cli/main.js');
const OUT_DIR = join(ROOT, 'dist/daemon');
export const DAEMON_BUNDLE = join(OUT_DIR, 'mandate.mjs');
const CHUNKS = join(OUT_DIR, 'chunks');

/** Packages loaded at run time rather than bundled. Anything else imported from node_modules is bundled. */
const EXTERNAL = ['better-sqlite3'];

/** The bundle's esbuild options (daemon/test/bundle.test.ts builds with them too, in memory). */
export const BUNDLE_OPTIONS = {
  entryPoints: { mandate: DAEMON_ENTRY },
  outdir: OUT_DIR,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // A bundled CommonJS dependency calls `require`; an ES module has none, so give it Node's own.
  banner: { js: "import { createRequire as __mandateRequire } from 'node:module'; const require = __mandateRequire(import.meta.url);" },
  legalComments: 'none',
} satisfies BuildOptions;

export async function bundleDaemon(): Promise<{ bytes: number; chunks: number; inputs: number }> {
  rmSync(CHUNKS, { recursive: true, force: true }); // chunk names carry a content hash: no stale ones left beside the new
  const result = await build(BUNDLE_OPTIONS);
  const chunks = readdirSync(CHUNKS).filter((f) => f.endsWith('.mjs'));
  const bytes = [DAEMON_BUNDLE, ...chunks.map((f) => join(CHUNKS, f))].reduce((n, f) => n + statSync(f).size, 0);
  return { bytes, chunks: chunks.length, inputs: Object.keys(result.metafile.inputs).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bytes, chunks, inputs } = await bundleDaemon();
  console.log(`bundled ${inputs} modules into ${relative(ROOT, DAEMON_BUNDLE)} and ${chunks} chunks (${(bytes / 1024).toFixed(0)} KiB)`);
}
