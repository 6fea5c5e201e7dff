import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from 'better-sqlite3';

/**
 * better-sqlite3's native addon, named directly. Left to itself, better-sqlite3 finds its addon through the
 * `bindings` package, which captures a stack trace to find the package's folder and then tries `require` on a
 * dozen candidate paths, two of which fail, each failure a thrown error, before the one npm's install builds:
 * `build/Release/better_sqlite3.node` (bench/README.md, "Cold start: the launcher and the addon").
 *
 * The package is the one Node resolves `better-sqlite3` to from here: the first `node_modules/better-sqlite3` up
 * the folders from this module (from the bundle, dist/daemon/). Looked up by hand, not with `createRequire`:
 * importing `node:module` makes Node set up its ES-module loader (scripts/bundle-daemon.ts, LOADER). Where that
 * package has no such file (another build layout), better-sqlite3's own search runs as before.
 */
export function sqliteAddon(from: string = dirname(fileURLToPath(import.meta.url))): Pick<Options, 'nativeBinding'> {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'node_modules', 'better-sqlite3');
    if (existsSync(join(pkg, 'package.json'))) {
      const addon = join(pkg, 'build', 'Release', 'better_sqlite3.node');
      return existsSync(addon) ? { nativeBinding: addon } : {};
    }
    if (dirname(dir) === dir) return {};
  }
}
