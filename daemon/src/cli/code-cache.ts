/**
 * Runs the `mandate` bundle (dist/daemon/mandate.cjs, one CommonJS file) through `vm.Script` with a V8 code cache,
 * so a start reads compiled bytecode instead of compiling the bundle: the daemon's cold start is about a sixth
 * shorter with it (bench/README.md, "A V8 code cache"). It is built as dist/daemon/loader.cjs, which bin/mandate.js
 * requires to call `runBundle`; it imports nothing of Mandate's own, only Node's modules, because it runs before the
 * bundle, and not `node:module`, which would set up Node's ES-module loader (`requireFrom`).
 *
 * A cache is code the process runs, so it is handled as such:
 * - It lives in a directory only this user can write (created 0700; one that is a symlink, not owned by the user or
 *   open to others is not used), by default the per-OS user cache directory; MANDATE_CODE_CACHE names another, or
 *   `off` turns the cache off.
 * - It is found by a hash of the bundle's text, Node's version and architecture, and Node's command-line flags. V8
 *   itself checks a cache only against the source's length and the flags, so a cache of another build is never
 *   even looked up.
 * - Its file holds the SHA-256 of the bytes V8 made, checked before V8 sees them: a torn or damaged file is compiled
 *   afresh and replaced, never loaded. Files are written whole (a private temporary file, then a rename).
 * - With source maps on (`--enable-source-maps`), which `vm.Script` ignores, Node's own `require` loads the bundle
 *   and no cache is used, so stack traces still point into the TypeScript sources.
 * - It is made once the code a start needs has compiled: by `mandate daemon` when it is serving (before it changes
 *   V8's flags, which would make V8 reject the cache on the next start), by every other command when it is done;
 *   and only when there was none or V8 rejected it. Making one drops the caches of other builds.
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, type Stats, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Script } from 'node:vm';

/** What the bundle exports (daemon/src/cli/main.ts). */
export interface BundleExports {
  main(argv: string[], hooks: { ready: () => void }): Promise<void>;
}

/**
 * How a run used the cache, for tests and `MANDATE_CODE_CACHE_LOG`. `source-maps`: Node runs with source maps on,
 * which `vm.Script` does not apply, so the bundle is loaded by Node's own `require` and no cache is used.
 */
export type CacheUse = 'off' | 'source-maps' | 'unavailable' | 'none' | 'damaged' | 'rejected' | 'used';

export interface LoadedBundle {
  exports: BundleExports;
  use: CacheUse;
  /** Writes the cache if this run should make one (see above); a no-op after the first call or when not needed. */
  writeCache(): void;
}

const SUFFIX = '.v8cache';
const HASH_BYTES = 32;
/** A key's hash: what `h` already holds, then the parts, each ended by a NUL, so no two lists of parts hash alike. */
const keyOf = (h: Hash, ...parts: string[]) => {
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/** The per-OS user cache directory for Mandate, or MANDATE_CODE_CACHE's; undefined when that is `off`. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const named = env.MANDATE_CODE_CACHE;
  if (named === 'off') return undefined;
  if (named && isAbsolute(named)) return named;
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'Mandate');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Mandate', 'cache');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.cache'), 'mandate');
}

/** Whether only this user can write what `st` describes: its owner, and no group or other write bit. POSIX only; Windows trusts its ACLs. */
const onlyUserWrites = (st: Stats): boolean => process.platform === 'win32' || (st.uid === process.getuid?.() && (st.mode & 0o022) === 0);

/** Whether `path` is a real directory (not a symlink) that only this user can write, made 0700 if it was missing. */
function privateDir(path: string): boolean {
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    const st = lstatSync(path);
    return st.isDirectory() && onlyUserWrites(st);
  } catch {
    return false;
  }
}

/**
 * How much of the bundle is read at a time: less than 128 KiB, glibc's first threshold for serving an allocation
 * with an mmap of its own. Freeing such an allocation raises that threshold to its size for the rest of the process,
 * and the threshold for giving memory back with it, and from then on the threads that compile optimised code keep
 * more of what they free. Reading the 0.5 MB bundle in one buffer and letting it go cost the daemon about 5 MB of
 * resident memory under load (bench/README.md, "Memory: one buffer freed at start").
 */
export const PIECE_BYTES = 64 * 1024;

/** The bundle's text, read in pieces below that threshold, and the SHA-256 of its bytes (the build's key starts with it). */
function readBundle(path: string): { source: string; hash: Hash } {
  const hash = createHash('sha256');
  const text = new StringDecoder('utf8');
  const piece = Buffer.allocUnsafeSlow(PIECE_BYTES);
  const parts: string[] = [];
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, piece); n > 0; n = readSync(fd, piece)) {
      hash.update(piece.subarray(0, n));
      parts.push(text.write(piece.subarray(0, n)));
    }
  } finally {
    closeSync(fd);
  }
  parts.push(text.end());
  return { source: parts.join(''), hash: hash.update('\0') };
}

/**
 * The cache's bytes that V8 was given, kept for the life of the process: the cache is one buffer of about the
 * bundle's size, and freeing it would raise glibc's threshold as above. Holding it costs its size, once.
 */
const held: Buffer[] = [];

/** The cache's bytes if the file is this user's, private, and whole; `damaged` if it is there but fails its hash. */
function readCache(file: string): Buffer | 'none' | 'damaged' {
  let data: Buffer;
  try {
    const st = lstatSync(file);
    if (!st.isFile() || !onlyUserWrites(st)) return 'damaged';
    data = readFileSync(file);
  } catch {
    return 'none';
  }
  if (data.length <= HASH_BYTES) return 'damaged';
  const payload = data.subarray(HASH_BYTES);
  return sha256(payload).equals(data.subarray(0, HASH_BYTES)) ? payload : 'damaged';
}

function writeCacheFile(file: string, payload: Buffer, build: string): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${randomBytes(8).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, Buffer.concat([sha256(payload), payload]), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    for (const name of readdirSync(dir)) if (name.endsWith(SUFFIX) && !name.startsWith(build)) rmSync(join(dir, name), { force: true });
  } catch {
    rmSync(tmp, { force: true }); // a cache is an optimisation: failing to write one never fails the command
  }
}

/**
 * A `require` that resolves from `path`, from Node's own CommonJS loader, which the loader's `module` leads to. This
 * file runs as CommonJS (dist/daemon/loader.cjs); `createRequire` from `node:module` would make Node set up its
 * ES-module loader first (the public module carries `register`), a cost the CommonJS launcher exists to avoid.
 */
function requireFrom(path: string): NodeJS.Require {
  if (typeof module === 'undefined') throw new Error('the code-cache loader runs as CommonJS: dist/daemon/loader.cjs');
  return (module.constructor as unknown as { createRequire(path: string): NodeJS.Require }).createRequire(path);
}

/** Compiles and runs the bundle at `bundlePath` (with the cache when there is a good one) and returns its exports. */
export function loadBundle(bundlePath: string, env: NodeJS.ProcessEnv = process.env): LoadedBundle {
  if (process.sourceMapsEnabled) {
    return { exports: requireFrom(bundlePath)(bundlePath) as BundleExports, use: 'source-maps', writeCache: () => {} };
  }
  const { source, hash } = readBundle(bundlePath);
  const dir = codeCacheDir(env);
  const usable = dir !== undefined && privateDir(dir);
  const build = keyOf(hash, process.version, process.arch).slice(0, 24);
  const flags = keyOf(createHash('sha256'), ...process.execArgv).slice(0, 16);
  const file = usable ? join(dir, `${build}-${flags}${SUFFIX}`) : undefined;
  const cached = file ? readCache(file) : 'none';
  if (Buffer.isBuffer(cached)) held.push(cached);

  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundlePath,
    ...(Buffer.isBuffer(cached) ? { cachedData: cached } : {}),
  });
  const use: CacheUse =
    dir === undefined ? 'off' : !usable ? 'unavailable' : Buffer.isBuffer(cached) ? (script.cachedDataRejected ? 'rejected' : 'used') : cached;
  const module = { exports: {} as BundleExports };
  const run = script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void;
  run(module.exports, requireFrom(bundlePath), module, bundlePath, dirname(bundlePath));

  let pending = file !== undefined && use !== 'used';
  return {
    exports: module.exports,
    use,
    writeCache() {
      if (!pending || file === undefined) return;
      pending = false;
      writeCacheFile(file, script.createCachedData(), build);
    },
  };
}

/**
 * bin/mandate.js (and bench:scale's cold-start ceiling): runs a bundle's `main`, which calls `ready` once it serves,
 * then makes the cache if it has not yet. `MANDATE_CODE_CACHE_LOG=1` says on stderr how the cache was used.
 */
export async function runBundle(bundlePath: string, argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const bundle = loadBundle(bundlePath, env);
  if (env.MANDATE_CODE_CACHE_LOG === '1') process.stderr.write(`mandate: code cache ${bundle.use}\n`);
  await bundle.exports.main(argv, { ready: () => bundle.writeCache() });
  bundle.writeCache();
}
