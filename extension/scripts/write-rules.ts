/** Writes the static ruleset from its one source (src/intercept/coarse-filter.ts): `npm run rules`. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { staticRules } from '../src/intercept/coarse-filter.js';

export const RULES_FILE = resolve(import.meta.dirname, '../public/rules/intercept.json');
writeFileSync(RULES_FILE, `${JSON.stringify(staticRules(), null, 2)}\n`);
console.log(`wrote ${RULES_FILE}`);
