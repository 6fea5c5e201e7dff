/**
 * `npm run catalog`: regenerates shared/src/scopes/catalog.json from the committed inputs in
 * shared/scopes-input/ and prints the coverage table (paste it into the README when it changes).
 * `npm run catalog -- --check` fails instead of writing when the committed file is out of date.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildCatalog, coverageTable, inputSchema, overridesSchema, serialize } from '#shared/scopes/generate/build.js';

const ROOT = resolve(import.meta.dirname, '../..');
const INPUT = join(ROOT, 'shared/scopes-input');
const OUTPUT = join(ROOT, 'shared/src/scopes/catalog.json');

const overrides = overridesSchema.parse(JSON.parse(readFileSync(join(INPUT, 'overrides.json'), 'utf8')));
const inputs = readdirSync(INPUT)
  .filter((f) => f.endsWith('.json') && f !== 'overrides.json')
  .sort()
  .map((f) => inputSchema.parse(JSON.parse(readFileSync(join(INPUT, f), 'utf8'))));
const { catalog, coverage } = buildCatalog(inputs, overrides);
const text = serialize(catalog);

if (process.argv.includes('--check')) {
  if (readFileSync(OUTPUT, 'utf8') !== text) {
    console.error('shared/src/scopes/catalog.json is out of date: run `npm run catalog`');
    process.exit(1);
  }
} else {
  writeFileSync(OUTPUT, text);
}
console.log(coverageTable(coverage, catalog.scopes.length));
for (const c of coverage) if (c.uncovered.length > 0) console.log(`${c.provider} uncovered: ${c.uncovered.join(' ')}`);
