/**
 * The V8 code cache bin/mandate.js runs the bundle through (daemon/src/cli/code-cache.ts): found by the bundle's
 * hash, used only from a private directory and only when whole, remade when missing, damaged or rejected, and made
 * by `mandate daemon` early enough for its next start to use it.
 *
 * Every load runs in a process of its own, as `mandate` does: within one process V8 answers a second compile of the
 * same text from memory and never reads the cache it is given. So these run the built loader (npm run build:daemon).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type CacheUse, codeCacheDir, PIECE_BYTES } from '../src/cli/code-cache.js';

const LOADER = fileURLToPath(new URL('../../dist/daemon/loader.cjs', import.meta.url));

/**
 * loadBundle in a fresh process: how it used the cache, and what the bundle's main reported. main calls writeCache
 * through `ready`, as `mandate daemon` does, unless `write` is false. The script's text must not change between
 * loads: `-e` and its text are among Node's command-line arguments, which the cache is keyed by.
 */
function load(bundle: string, env: Record<string, string>, opts: { write?: boolean; argv?: string[]; node?: string[] } = {}): { use: CacheUse; ran: string } {
  const script = `
    const { loadBundle } = await import(${JSON.stringify(LOADER)});
    const b = loadBundle(${JSON.stringify(bundle)}, process.env);
    await b.exports.main(process.argv.slice(1), { ready: () => ${opts.write === false ? '{}' : 'b.writeCache()'} });
    process.stdout.write(JSON.stringify({ use: b.use, ran: globalThis.__codeCacheTest }));`;
  const r = spawnSync(process.execPath, [...(opts.node ?? []), '--input-type=module', '-e', script, '--', ...(opts.argv ?? [])], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`load failed (is dist built? npm run build:daemon): ${r.stderr}`);
  return JSON.parse(r.stdout) as { use: CacheUse; ran: string };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'mandate-code-cache-'));
  dirs.push(d);
  return d;
}

/** A bundle of the shape bin/mandate.js runs: CommonJS, exporting `main`; `answer` is what main reports. */
function bundleFile(dir: string, answer: string): string {
  const file = join(dir, 'bundle.cjs');
  writeFileSync(
    file,
    `exports.main = async (argv, hooks) => { globalThis.__codeCacheTest = ${JSON.stringify(answer)} + ':' + argv.join(','); hooks.ready(); };\n`,
  );
  return file;
}
const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));

describe('loadBundle', () => {
  it('makes a cache on the first run, in a private directory, and uses it on the next', () => {
    const work = scratch();
    const bundle = bundleFile(work, 'one');
    const cache = join(work, 'cache');
    const env = { MANDATE_CODE_CACHE: cache };

    expect(load(bundle, env, { argv: ['a'] })).toEqual({ use: 'none', ran: 'one:a' });
    const [file] = cacheFiles(cache);
    expect(file).toMatch(/^[0-9a-f]{24}-[0-9a-f]{16}\.v8cache$/);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(join(cache, file!)).mode & 0o777).toBe(0o600);
    // the file is the SHA-256 of what V8 made, then those bytes
    const data = readFileSync(join(cache, file!));
    expect(createHash('sha256').update(data.subarray(32)).digest().equals(data.subarray(0, 32))).toBe(true);

    const before = statSync(join(cache, file!)).mtimeMs;
    expect(load(bundle, env, { argv: ['b'] })).toEqual({ use: 'used', ran: 'one:b' });
    expect(statSync(join(cache, file!)).mtimeMs).toBe(before); // a used cache is not remade
  });

  it('never looks up the cache of another build, even one of the same length, and drops it once it makes its own', () => {
    const work = scratch();
    const cache = join(work, 'cache');
    const env = { MANDATE_CODE_CACHE: cache };
    load(bundleFile(work, 'one'), env);
    const [oneFile] = cacheFiles(cache);

    // same length, other text: V8 alone would take the first build's cache for it
    expect(load(bundleFile(work, 'two'), env)).toEqual({ use: 'none', ran: 'two:' });
    expect(cacheFiles(cache)).toHaveLength(1);
    expect(cacheFiles(cache)).not.toContain(oneFile);
    expect(load(bundleFile(work, 'two'), env).use).toBe('used');
  });

  it('compiles afresh, and remakes the cache, when the file is damaged or V8 rejects what it holds', () => {
    const work = scratch();
    const bundle = bundleFile(work, 'one');
    const cache = join(work, 'cache');
    const env = { MANDATE_CODE_CACHE: cache };
    load(bundle, env);
    const file = join(cache, cacheFiles(cache)[0]!);

    const damaged = readFileSync(file);
    damaged[damaged.length - 1]! ^= 0xff; // a torn or flipped byte: its hash no longer matches
    writeFileSync(file, damaged);
    expect(load(bundle, env, { argv: ['x'] })).toEqual({ use: 'damaged', ran: 'one:x' });
    expect(load(bundle, env).use).toBe('used');

    const garbage = Buffer.from('not a V8 code cache at all');
    writeFileSync(file, Buffer.concat([createHash('sha256').update(garbage).digest(), garbage])); // whole, but not V8's
    expect(load(bundle, env, { argv: ['y'] })).toEqual({ use: 'rejected', ran: 'one:y' });
    expect(load(bundle, env).use).toBe('used');
  });

  it('reads a bundle larger than the pieces it reads, characters split between two pieces included', () => {
    const work = scratch();
    const text = 'x'.repeat(7) + 'aé€😀'.repeat(30_000); // 1-, 2-, 3- and 4-byte characters, 300 KB
    const file = join(work, 'bundle.cjs');
    writeFileSync(file, `exports.main = async (argv, hooks) => { globalThis.__codeCacheTest = ${JSON.stringify(text)}; hooks.ready(); };\n`);
    const bytes = readFileSync(file);
    const split = [1, 2, 3, 4].map((k) => k * PIECE_BYTES).filter((at) => at < bytes.length && (bytes[at]! & 0xc0) === 0x80);
    expect(split.length).toBeGreaterThan(0); // some piece ends inside a character

    const env = { MANDATE_CODE_CACHE: join(work, 'cache') };
    expect(load(file, env)).toEqual({ use: 'none', ran: text });
    expect(load(file, env)).toEqual({ use: 'used', ran: text }); // and finds its cache by the same bytes
  });

  it('makes no cache unless asked: a daemon that never became ready leaves none', () => {
    const work = scratch();
    const cache = join(work, 'cache');
    expect(load(bundleFile(work, 'one'), { MANDATE_CODE_CACHE: cache }, { write: false }).use).toBe('none');
    expect(cacheFiles(cache)).toEqual([]);
  });

  it('uses no directory that others can write or that is a symlink, and no cache at all when turned off', () => {
    const work = scratch();
    const bundle = bundleFile(work, 'one');

    const open = join(work, 'open');
    mkdirSync(open, { mode: 0o700 });
    chmodSync(open, 0o777);
    expect(load(bundle, { MANDATE_CODE_CACHE: open })).toEqual({ use: 'unavailable', ran: 'one:' });
    expect(cacheFiles(open)).toEqual([]);

    const real = join(work, 'real');
    mkdirSync(real, { mode: 0o700 });
    const link = join(work, 'link');
    symlinkSync(real, link);
    expect(load(bundle, { MANDATE_CODE_CACHE: link }).use).toBe('unavailable');
    expect(cacheFiles(real)).toEqual([]);

    expect(load(bundle, { MANDATE_CODE_CACHE: 'off' })).toEqual({ use: 'off', ran: 'one:' });
  });

  it("leaves loading to Node's own require when source maps are on, which vm.Script would not apply", () => {
    const work = scratch();
    const cache = join(work, 'cache');
    expect(load(bundleFile(work, 'one'), { MANDATE_CODE_CACHE: cache }, { node: ['--enable-source-maps'] })).toEqual({ use: 'source-maps', ran: 'one:' });
    expect(() => readdirSync(cache)).toThrow(); // not even the directory was made
  });
});

describe('codeCacheDir', () => {
  it('is the per-OS user cache directory unless MANDATE_CODE_CACHE names one or says off', () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux')).toBe('/x/cache/mandate');
    expect(codeCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux')).toMatch(/\/\.cache\/mandate$/); // XDG: relative paths are ignored
    expect(codeCacheDir({}, 'darwin')).toMatch(/\/Library\/Caches\/Mandate$/);
    expect(codeCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32')).toContain('Mandate');
    expect(codeCacheDir({ MANDATE_CODE_CACHE: '/somewhere' }, 'linux')).toBe('/somewhere');
    expect(codeCacheDir({ MANDATE_CODE_CACHE: 'off' }, 'linux')).toBeUndefined();
  });
});

describe('`mandate daemon`', () => {
  const BIN = fileURLToPath(new URL('../../bin/mandate.js', import.meta.url));

  /** Starts the built daemon as `npm start` does, waits until it serves, stops it; the cache use it reported. */
  async function startOnce(home: string, cache: string): Promise<string> {
    const child = spawn(process.execPath, ['--no-memory-reducer', BIN, 'daemon', '--port', '0', '--json', '--home', home], {
      env: { ...process.env, MANDATE_CODE_CACHE: cache, MANDATE_CODE_CACHE_LOG: '1', MANDATE_KEY_DIR: `${home}-keys` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d) => resolve(String(d)));
      child.once('exit', (code) => reject(new Error(`daemon exited (${code}): ${err}`)));
    });
    const { url } = JSON.parse(line) as { url: string };
    expect((await fetch(`${url}/.well-known/oauth-authorization-server`)).status).toBe(200);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return /code cache (\w+)/.exec(err)?.[1] ?? `no report in: ${err}`;
  }

  it('makes its cache while it still runs with the flags it started with, so its next start uses it', async () => {
    const work = scratch();
    const cache = join(work, 'cache');
    const home = join(work, 'home');
    expect(await startOnce(home, cache)).toBe('none');
    expect(cacheFiles(cache)).toHaveLength(1);
    // had the cache been made after the daemon changed V8's flags (its young generation's cap), V8 would reject it
    expect(await startOnce(home, cache)).toBe('used');
  }, 30_000);
});
