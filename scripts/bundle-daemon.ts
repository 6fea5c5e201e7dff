/**
 * Bundles the compiled daemon and CLI (dist/daemon/src/cli/main.js, from `tsc -p tsconfig.build.json`) into
 * one ES module, dist/daemon/mandate.mjs, which bin/mandate.js runs.
 *
 * Why: Node resolves, reads and links each of the ~400 files of the unbundled graph (the daemon's own modules,
 * zod, jose, hono) one by one, and that was most of the daemon's cold start (bench/README.md, "Cold start").
 * One file cuts that to a single read and parse. Whitespace and syntax are minified; identifiers are kept, so a
 * stack trace in a bug report still names real functions. better-sqlite3 stays external: it is a native addon.
 * Every module imports zod as a namespace (`import * as z from 'zod'`): the named `{ z }` import makes esbuild keep
 * all of zod's locales, a third of the bundle (daemon/test/bundle.test.ts fails if one comes back).
 *
 * `#shared/*` resolves to dist/shared/src (the default condition), so the bundle holds exactly what tsc built.
 */
import { statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DAEMON_ENTRY = join(ROOT, 'dist/daemon/src/cli/main.js');
export const DAEMON_BUNDLE = join(ROOT, 'dist/daemon/mandate.mjs');

/** Packages loaded at run time rather than bundled. Anything else imported from node_modules is bundled. */
const EXTERNAL = ['better-sqlite3'];

/** The bundle's esbuild options (daemon/test/bundle.test.ts builds with them too, in memory). */
export const BUNDLE_OPTIONS = {
  entryPoints: [DAEMON_ENTRY],
  outfile: DAEMON_BUNDLE,
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

export async function bundleDaemon(): Promise<{ bytes: number; inputs: number }> {
  const result = await build(BUNDLE_OPTIONS);
  return { bytes: statSync(DAEMON_BUNDLE).size, inputs: Object.keys(result.metafile.inputs).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bytes, inputs } = await bundleDaemon();
  console.log(`bundled ${inputs} modules into ${relative(ROOT, DAEMON_BUNDLE)} (${(bytes / 1024).toFixed(0)} KiB)`);
}
