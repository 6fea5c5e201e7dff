#!/usr/bin/env node
// The `mandate` command. Runs the compiled daemon/CLI from dist/ (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/daemon/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('mandate: not built yet. Run `npm install` (or `npm run build`) in the Mandate folder first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
