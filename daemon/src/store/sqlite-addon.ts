import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from 'better-sqlite3';

/**
 * The folders, below better-sqlite3's package, where the `bindings` package looks for an addon, in its order
 * (bindings 1.5, `defaults.try`), but for npm's own build, build/Release, which comes first: it is where `npm install`
 * puts it (prebuilt or compiled).
 */
const LAYOUTS = [
  ['build', 'Release'],
  ['build'],
  ['build', 'Debug'],
  ['out', 'Debug'],
  ['Debug'],
  ['out', 'Release'],
  ['Release'],
  ['build', 'default'],
  ['compiled', process.versions.node, process.platform, process.arch],
  ['addon-build', 'release', 'install-root'],
  ['addon-build', 'debug', 'install-root'],
  ['addon-build', 'default', 'install-root'],
  ['lib', 'binding', `node-v${process.versions.modules}-${process.platform}-${process.arch}`],
];

/**
 * better-sqlite3's native addon, named directly. Left to itself, better-sqlite3 finds its addon through the
 * `bindings` package, which captures a stack trace to find the package's folder and then tries `require` on a
 * dozen candidate paths, two of which fail, each failure a thrown error, before the one npm's install builds:
 * `build/Release/better_sqlite3.node` (bench/README.md, "Cold start: the launcher and the addon"). And the daemon's
 * bundle holds better-sqlite3's JavaScript (scripts/bundle-daemon.ts), where that stack trace would name the bundle,
 * not the package: so this looks in the same folders `bindings` does, in the package Node resolves.
 *
 * The package is the one Node resolves `better-sqlite3` to from here: the first `node_modules/better-sqlite3` up
 * the folders from this module (from the bundle, dist/daemon/). Looked up by hand, not with `createRequire`:
 * importing `node:module` makes Node set up its ES-module loader (scripts/bundle-daemon.ts, LOADER). Where no
 * package is found that way, or it has no addon in any of those folders, this names none and better-sqlite3's own
 * search runs (and fails, saying where it looked).
 */
export function sqliteAddon(from: string = dirname(fileURLToPath(import.meta.url))): Pick<Options, 'nativeBinding'> {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'node_modules', 'better-sqlite3');
    if (existsSync(join(pkg, 'package.json'))) {
      for (const layout of LAYOUTS) {
        const addon = join(pkg, ...layout, 'better_sqlite3.node');
        if (existsSync(addon)) return { nativeBinding: addon };
      }
      return {};
    }
    if (dirname(dir) === dir) return {};
  }
}
