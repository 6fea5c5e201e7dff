/**
 * What the daemon bundle (scripts/bundle-daemon.ts → dist/daemon/mandate.mjs and its chunks, run by
 * bin/mandate.js) holds, so the cold-start levers cannot be lost quietly: the scope catalog (only the extension
 * and the CLI's plain-words output need it) stays off the daemon's start path, so do zod's translations of its
 * error messages; nothing but Node's own modules and the native better-sqlite3 is left to load at run time; and
 * the CLI's commands start without the server, which only `mandate daemon` loads.
 */
import { builtinModules } from 'node:module';
import { build, type Metafile } from 'esbuild';
import { beforeAll, expect, it } from 'vitest';
import { BUNDLE_OPTIONS } from '../../scripts/bundle-daemon.js';

let metafile: Metafile;
beforeAll(async () => {
  ({ metafile } = await build({ ...BUNDLE_OPTIONS, write: false }));
}, 60_000);

const outputs = () => Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs'));

/** The source files in an output, and in everything it imports statically (what loads before it runs). */
function staticallyLoaded(entry: string): Set<string> {
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const out = metafile.outputs[path];
    if (!out) throw new Error(`no output ${path}`);
    for (const input of Object.keys(out.inputs)) inputs.add(input);
    for (const i of out.imports) if (!i.external && i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  return inputs;
}

it('bundles everything but Node built-ins and better-sqlite3, and leaves the scope catalog out', () => {
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.some((p) => p.endsWith('dist/daemon/src/daemon.js'))).toBe(true);
  expect(inputs.filter((p) => p.includes('scopes/catalog'))).toEqual([]);

  const builtin = (p: string) => p.startsWith('node:') || builtinModules.includes(p);
  const external = new Set(outputs().flatMap(([, o]) => o.imports.filter((i) => i.external && !builtin(i.path)).map((i) => i.path)));
  expect([...external]).toEqual(['better-sqlite3']);
});

it("leaves zod's locales out: every module imports zod as a namespace (`import * as z`), which esbuild can shake", () => {
  // `import { z } from 'zod'` makes esbuild keep the whole `z` object, every locale with it: 290 KB of the bundle,
  // a third of it, parsed at every start (bench/README.md, "Cold start")
  const locales = outputs().flatMap(([, o]) => Object.entries(o.inputs).filter(([p, v]) => p.includes('zod/v4/locales/') && v.bytesInOutput > 0));
  expect(locales.map(([p]) => p.split('/').pop())).toEqual(['en.js']);
});

it('the CLI starts without the server: only `mandate daemon` imports it, from a chunk of its own', () => {
  const [entry, main] = outputs().find(([, o]) => o.entryPoint?.endsWith('dist/daemon/src/cli/main.js'))!;
  expect(entry.endsWith('dist/daemon/mandate.mjs')).toBe(true);

  const cli = [...staticallyLoaded(entry)];
  const server = [
    'dist/daemon/src/daemon.js',
    'dist/daemon/src/app.js',
    'dist/daemon/src/store/',
    'node_modules/hono/',
    'node_modules/@hono/',
    'node_modules/jose/',
  ];
  expect(cli.filter((p) => server.some((s) => p.includes(s)))).toEqual([]);
  expect(cli.some((p) => p.endsWith('dist/daemon/src/cli/commands/grants.js'))).toBe(true);

  const daemonChunk = main.imports.find((i) => i.kind === 'dynamic-import' && metafile.outputs[i.path]?.entryPoint?.endsWith('dist/daemon/src/daemon.js'));
  expect(daemonChunk).toBeDefined();
  expect(staticallyLoaded(daemonChunk!.path).has('node_modules/@hono/node-server/dist/index.mjs')).toBe(true);
});
