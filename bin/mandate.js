#!/usr/bin/env node
// The `mandate` command. Runs the daemon/CLI bundle, dist/daemon/mandate.mjs and the chunks beside it (built by
// `npm install` / `npm run build`; scripts/bundle-daemon.ts says why it is bundled and how it is split).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/daemon/mandate.mjs', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('mandate: not built yet. Run `npm install` (or `npm run build`) in the Mandate folder first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
