#!/usr/bin/env node
// The `mandate` command. Runs the daemon/CLI bundle, dist/daemon/mandate.cjs, through a V8 code cache, with the
// loader built beside it, dist/daemon/loader.cjs (both built by `npm install` / `npm run build`; scripts/bundle-daemon.ts
// says why they are CommonJS, daemon/src/cli/code-cache.ts how the cache is kept). This file is CommonJS too
// (bin/package.json): an ES-module entry makes Node set up its ES-module loader before anything else runs.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'daemon', 'mandate.cjs');
const loader = join(__dirname, '..', 'dist', 'daemon', 'loader.cjs');
if (!existsSync(bundle) || !existsSync(loader)) {
  process.stderr.write('mandate: not built yet. Run `npm install` (or `npm run build`) in the Mandate folder first.\n');
  process.exit(1);
}
require(loader).runBundle(bundle);
