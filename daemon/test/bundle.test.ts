/**
 * What the daemon bundle (scripts/bundle-daemon.ts → dist/daemon/mandate.mjs, run by bin/mandate.js) holds, so
 * the cold-start levers cannot be lost quietly: the scope catalog (only the extension and the CLI's plain-words
 * output need it) stays off the daemon's start path, so do zod's translations of its error messages, and
 * nothing but Node's own modules and the native better-sqlite3 is left to load at run time.
 */
import { builtinModules } from 'node:module';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { BUNDLE_OPTIONS } from '../../scripts/bundle-daemon.js';

it('bundles everything but Node built-ins and better-sqlite3, and leaves the scope catalog out', { timeout: 60_000 }, async () => {
  const { metafile } = await build({ ...BUNDLE_OPTIONS, write: false });
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.some((p) => p.endsWith('dist/daemon/src/daemon.js'))).toBe(true);
  expect(inputs.filter((p) => p.includes('scopes/catalog'))).toEqual([]);

  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  const external = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))];
  const builtin = (p: string) => p.startsWith('node:') || builtinModules.includes(p);
  expect(external.filter((p) => !builtin(p))).toEqual(['better-sqlite3']);
});

it("leaves zod's locales out: every module imports zod as a namespace (`import * as z`), which esbuild can shake", { timeout: 60_000 }, async () => {
  // `import { z } from 'zod'` makes esbuild keep the whole `z` object, every locale with it: 290 KB of the bundle,
  // a third of it, parsed at every start (bench/README.md, "Cold start")
  const { metafile } = await build({ ...BUNDLE_OPTIONS, write: false });
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  const locales = Object.entries(output.inputs).filter(([p, v]) => p.includes('zod/v4/locales/') && v.bytesInOutput > 0);
  expect(locales.map(([p]) => p.split('/').pop())).toEqual(['en.js']);
});
