/**
 * The must-reject catalog's protection-removal check: each case removes one protection (a literal edit
 * of one source file), runs the tests that guard it, and expects at least one of them to fail. The file
 * is restored afterwards, whatever happens. A protection whose removal leaves its tests green is a
 * protection no test proves: the run exits 1 and names it.
 *
 *   npm run protections              every case
 *   npm run protections -- <filter>  the cases whose name contains <filter>
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { PROTECTIONS } from './protections.js';

const filter = process.argv[2];
const cases = PROTECTIONS.filter((p) => filter === undefined || p.name.includes(filter));
let unguarded = 0;
for (const p of cases) {
  const original = readFileSync(p.file, 'utf8');
  if (!original.includes(p.find)) {
    console.log(`STALE   ${p.name}: the protected code is no longer in ${p.file}; update scripts/protections.ts`);
    unguarded++;
    continue;
  }
  writeFileSync(p.file, original.replace(p.find, p.replace));
  let failed = false;
  try {
    execFileSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...p.tests], { stdio: 'pipe', env: { ...process.env, MANDATE_SKIP_BUILD: '1' } });
  } catch {
    failed = true;
  } finally {
    writeFileSync(p.file, original);
  }
  if (!failed) unguarded++;
  console.log(`${failed ? 'GUARDED' : 'MISSED '} ${p.name}  (${p.tests.join(', ')})`);
}
console.log(`${cases.length - unguarded} guarded, ${unguarded} not`);
process.exit(unguarded === 0 ? 0 : 1);
