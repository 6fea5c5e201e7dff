import { readFileSync } from 'node:fs';

/**
 * The package version, read from package.json at the first call (works from the source tree, from dist/ and from the
 * bundle), so no start reads and parses the file before it has to (bench/README.md, "Off the start path"). Read
 * as a file, not with `createRequire`: importing `node:module` makes Node set up its ES-module loader, which the
 * daemon's start otherwise never needs (scripts/bundle-daemon.ts, LOADER).
 */
function readVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8'));
      if (
        typeof pkg === 'object' &&
        pkg !== null &&
        'name' in pkg &&
        'version' in pkg &&
        pkg.name === 'mandate' &&
        typeof pkg.version === 'string' &&
        pkg.version
      ) {
        return pkg.version;
      }
    } catch {
      // try the next layout
    }
  }
  return '0.0.0';
}

let read: string | undefined;
export const version = (): string => (read ??= readVersion());
