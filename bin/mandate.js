#!/usr/bin/env node
// The `mandate` command. Runs the daemon/CLI bundle, dist/daemon/mandate.cjs, through a V8 code cache (built by
// `npm install` / `npm run build`; scripts/bundle-daemon.ts says why it is one file, daemon/src/cli/code-cache.ts
// how the cache is kept).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/daemon/mandate.cjs', import.meta.url));
const loader = new URL('../dist/daemon/src/cli/code-cache.js', import.meta.url);
if (!existsSync(bundle) || !existsSync(fileURLToPath(loader))) {
  process.stderr.write('mandate: not built yet. Run `npm install` (or `npm run build`) in the Mandate folder first.\n');
  process.exit(1);
}
const { runBundle } = await import(loader.href);
await runBundle(bundle);
