// Sums the JSON reports of every suite into one line: "N passed, N failed[, N skipped]".
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
let suites = 0;

if (existsSync('test-results/vitest.json')) {
  const r = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  suites++;
}
// the e2e suite (Chromium and Firefox projects) and the Playwright kit's example project (npm run test:kit)
const PLAYWRIGHT_REPORTS = ['test-results/playwright.json', 'examples/consent-tests/test-results/playwright.json'];
for (const file of PLAYWRIGHT_REPORTS) {
  if (!existsSync(file)) continue;
  const s = JSON.parse(readFileSync(file, 'utf8')).stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  skipped += s.skipped;
  suites++;
}
const EXPECTED = 1 + PLAYWRIGHT_REPORTS.length;
if (suites < EXPECTED) {
  console.log(`(only ${suites} of ${EXPECTED} suite reports found: a suite did not run)`);
  failed += EXPECTED - suites;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
