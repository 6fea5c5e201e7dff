/**
 * What the daemon bundle (scripts/bundle-daemon.ts → dist/daemon/mandate.cjs, run by bin/mandate.js) holds, so the
 * cold-start levers cannot be lost quietly: the scope catalog (only the extension and the CLI's plain-words output
 * need it) stays off the daemon's start path, so do zod's translations of its error messages; nothing but Node's
 * own modules and better-sqlite3's native addon is left to load at run time; the CLI's commands start without
 * evaluating the server, which only `mandate daemon` loads, and the daemon loads nothing it can load after its ready
 * line. And what the bundle runs in, a `vm.Script` with no dynamic import, cannot quietly break a late load: no
 * `import()` is left in it, and the built daemon writes its audit checkpoint behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, expect, it } from 'vitest';
import { BUNDLE_OPTIONS, LOADER_OPTIONS } from '../../scripts/bundle-daemon.js';
import { CHECKPOINT_FILE } from '../src/audit/checkpoint.js';
import { CHECKPOINT_EVERY } from '../src/audit/trail.js';
import { CAP_AFTER_MS } from '../src/cli/commands/daemon.js';

let metafile: Metafile;
beforeAll(async () => {
  ({ metafile } = await build({ ...BUNDLE_OPTIONS, write: false }));
}, 60_000);

const outputs = () => Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.cjs'));

it("bundles everything but Node built-ins (better-sqlite3's JavaScript too), and leaves the scope catalog out", () => {
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.some((p) => p.endsWith('dist/daemon/src/daemon.js'))).toBe(true);
  expect(inputs.filter((p) => p.includes('scopes/catalog'))).toEqual([]);

  const builtin = (p: string) => p.startsWith('node:') || builtinModules.includes(p);
  const external = new Set(outputs().flatMap(([, o]) => o.imports.filter((i) => i.external && !builtin(i.path)).map((i) => i.path)));
  expect([...external]).toEqual([]);
  expect(inputs.some((p) => p.endsWith('node_modules/better-sqlite3/lib/database.js'))).toBe(true);
});

it("leaves zod's locales out: every module imports zod as a namespace (`import * as z`), which esbuild can shake", () => {
  // `import { z } from 'zod'` makes esbuild keep the whole `z` object, every locale with it: 290 KB of the bundle,
  // a third of it, parsed at every start (bench/README.md, "Cold start")
  // (the locales' index is kept as an empty initialiser of 69 bytes: CommonJS output wraps every module in one)
  const locales = outputs().flatMap(([, o]) =>
    Object.entries(o.inputs).filter(([p, v]) => p.includes('zod/v4/locales/') && !p.endsWith('/index.js') && v.bytesInOutput > 0),
  );
  expect(locales.map(([p]) => p.split('/').pop())).toEqual(['en.js']);
});

it('leaves no import() in the bundle: the vm.Script bin/mandate.js runs it in has no dynamic import', () => {
  // an import() of a module outside the bundle stays one, and fails there with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING
  // (scripts/bundle-daemon.ts): the audit checkpoint's write behind and the first https fetch of a client metadata
  // document both did, until they took their Node module with process.getBuiltinModule
  const dynamic = outputs().flatMap(([, o]) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
  expect(dynamic).toEqual([]);
});

it('writes the audit checkpoint behind as the trail grows, run from the bundle as bin/mandate.js runs it', { timeout: 60_000 }, async () => {
  // the write behind loads node:fs/promises late (audit/key.ts); through the bundle's vm.Script an import() of it
  // failed at every attempt, and the checkpoint stayed where the start had left it
  const dir = mkdtempSync(join(tmpdir(), 'mandate-behind-'));
  const home = join(dir, 'data');
  const keys = join(dir, 'keys');
  const bin = fileURLToPath(new URL('../../bin/mandate.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'daemon', '--port', '0', '--home', home, '--json'], {
    env: { ...process.env, MANDATE_CODE_CACHE: join(dir, 'cache'), MANDATE_KEY_DIR: keys },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      let out = '';
      child.once('exit', (code) => reject(new Error(`the daemon exited (${code}) before its start line: ${stderr}`)));
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as { url: string });
      });
    });
    const checkpointed = () => {
      const [trail] = readdirSync(keys);
      return (JSON.parse(readFileSync(join(keys, trail!, CHECKPOINT_FILE), 'utf8')) as { last_id: number }).last_id;
    };
    const atStart = checkpointed();
    const headers = { authorization: `Bearer ${readFileSync(join(home, 'cli-credential'), 'utf8').trim()}`, 'content-type': 'application/json' };
    for (let i = 0; i < CHECKPOINT_EVERY + 8; i++) {
      const res = await fetch(`${url}/admin/pairing-codes`, { method: 'POST', headers, body: '{}' }); // one audit row each
      expect(res.ok).toBe(true);
    }
    for (let waited = 0; checkpointed() < atStart + CHECKPOINT_EVERY && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(checkpointed()).toBeGreaterThanOrEqual(atStart + CHECKPOINT_EVERY);
    expect(stderr).not.toContain('could not write the audit checkpoint');
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

it('is one CommonJS file, dist/daemon/mandate.cjs, which bin/mandate.js runs', () => {
  expect(outputs().map(([path]) => path)).toEqual(['dist/daemon/mandate.cjs']);
  expect(outputs()[0]![1].entryPoint).toBe('dist/daemon/src/cli/main.js');
});

it('the CLI starts without evaluating the server: only `mandate daemon` imports it', () => {
  // the built bundle, as `mandate --help` runs it: the server's modules are in the file but must not run, so neither
  // the store (better-sqlite3's addon) nor Node's fetch classes (undici) load
  const loader = fileURLToPath(new URL('../../dist/daemon/loader.cjs', import.meta.url));
  const bundle = fileURLToPath(new URL('../../dist/daemon/mandate.cjs', import.meta.url));
  // reported at exit, which `mandate daemon` reaches through process.exit; a \`busy\` argument becomes a port the
  // probe holds, so that a daemon opens its database and then fails to listen
  const probe = `
    const { createRequire } = await import('node:module');
    const { createServer } = await import('node:net');
    const held = createServer();
    await new Promise((resolve) => held.listen(0, '127.0.0.1', resolve));
    held.unref();
    const argv = process.argv.slice(1).map((a) => (a === 'busy' ? String(held.address().port) : a));
    process.on('exit', () => {
      const loaded = Object.keys(createRequire(${JSON.stringify(bundle)}).cache);
      process.stderr.write(JSON.stringify({
        undici: process.moduleLoadList.some((m) => m.includes('undici')),
        sqlite: loaded.some((p) => p.includes('better-sqlite3')),
        fsPromises: process.moduleLoadList.includes('NativeModule fs/promises'),
        perfHooks: process.moduleLoadList.includes('NativeModule perf_hooks'),
      }));
    });
    const { runBundle } = await import(${JSON.stringify(loader)});
    await runBundle(${JSON.stringify(bundle)}, argv);`;
  const keys = mkdtempSync(join(tmpdir(), 'mandate-bundle-'));
  const run = (argv: string[]) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe, '--', ...argv], {
      env: { ...process.env, MANDATE_CODE_CACHE: 'off', MANDATE_KEY_DIR: join(keys, 'keys') },
      encoding: 'utf8',
    });
    return { out: r.stdout, loaded: JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('{'))) as Record<string, boolean> };
  };
  try {
    const help = run(['--help']);
    expect(help.out).toContain('Usage: mandate <command>');
    const none = { undici: false, sqlite: false, fsPromises: false, perfHooks: false };
    expect(help.loaded).toEqual(none);
    expect(run(['grants', '--help']).loaded).toEqual(none);
    // and the probe sees the store when it is loaded: `mandate daemon` opens its database before it finds its port
    // taken; neither importing the server nor opening the store loads undici (http/node-listener.ts, lazy-response.ts),
    // nor node:fs/promises, which brings readline with it (audit/key.ts imports it at the first write behind), nor
    // the heap caps' perf_hooks (set after the ready line: the next test)
    expect(run(['daemon', '--port', 'busy', '--home', join(keys, 'data')]).loaded).toEqual({ ...none, sqlite: true });
  } finally {
    rmSync(keys, { recursive: true, force: true });
  }
});

it('caps its heap after the ready line, not before, and builds no BlockList to start', () => {
  // bin/mandate.js as `npm start` runs it, with a probe that notes what is loaded when the JSON start line is
  // written, then waits for the heap caps (cli/commands/daemon.ts, CAP_AFTER_MS: they load perf_hooks and v8) and
  // stops the daemon. The BlockList of clients/fetch-limited.ts is made at the first metadata document fetched. (A
  // CommonJS probe: an ES-module `import('node:net')` reads every export, BlockList's lazy getter included.)
  const dir = mkdtempSync(join(tmpdir(), 'mandate-caps-'));
  try {
    const probe = join(dir, 'probe.cjs');
    writeFileSync(
      probe,
      `const has = (m) => process.moduleLoadList.includes('NativeModule ' + m);
      const loaded = () => ({ perfHooks: has('perf_hooks'), v8: has('v8'), blockList: has('internal/blocklist') });
      const seen = {};
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = (chunk, ...rest) => {
        if (!seen.atReady && String(chunk).startsWith('{')) {
          seen.atReady = loaded();
          const at = Date.now();
          const poll = setInterval(() => {
            if (!loaded().perfHooks && Date.now() - at < 10000) return;
            clearInterval(poll);
            seen.later = loaded();
            seen.afterMs = Date.now() - at;
            process.kill(process.pid, 'SIGTERM');
          }, 20);
        }
        return write(chunk, ...rest);
      };
      process.on('exit', () => process.stderr.write(JSON.stringify(seen)));`,
    );
    const bin = fileURLToPath(new URL('../../bin/mandate.js', import.meta.url));
    const r = spawnSync(process.execPath, ['--require', probe, bin, 'daemon', '--port', '0', '--home', join(dir, 'data'), '--json'], {
      env: { ...process.env, MANDATE_CODE_CACHE: 'off', MANDATE_KEY_DIR: join(dir, 'keys') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const seen = JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('{"atReady"'))) as { atReady: object; later: object; afterMs: number };
    expect(seen.atReady).toEqual({ perfHooks: false, v8: false, blockList: false });
    expect(seen.later).toEqual({ perfHooks: true, v8: true, blockList: false });
    expect(seen.afterMs).toBeGreaterThanOrEqual(CAP_AFTER_MS / 2); // the timer's, give or take the probe's polling
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 40_000);

it("starts without Node's ES-module loader: bin/mandate.js and the loader it requires are CommonJS, the loader Node's modules only", async () => {
  const { metafile: loader } = await build({ ...LOADER_OPTIONS, write: false, metafile: true });
  expect(Object.keys(loader.inputs)).toEqual(['dist/daemon/src/cli/code-cache.js']);
  const [[path, out]] = Object.entries(loader.outputs).filter(([p]) => p.endsWith('.cjs')) as [[string, Metafile['outputs'][string]]];
  expect(path).toBe('dist/daemon/loader.cjs');
  expect(out.imports.every((i) => i.path.startsWith('node:') || builtinModules.includes(i.path))).toBe(true);

  // the shipped entry, as `npm start` and the `mandate` command run it: an ES-module entry would load these first
  const dir = mkdtempSync(join(tmpdir(), 'mandate-bin-'));
  try {
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, `process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('modules/esm/')))));`);
    const bin = fileURLToPath(new URL('../../bin/mandate.js', import.meta.url));
    const r = spawnSync(process.execPath, ['--require', probe, bin, '--help'], { env: { ...process.env, MANDATE_CODE_CACHE: 'off' }, encoding: 'utf8' });
    expect(r.stdout).toContain('Usage: mandate <command>');
    expect(JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('[')))).not.toContain('NativeModule internal/modules/esm/loader');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
