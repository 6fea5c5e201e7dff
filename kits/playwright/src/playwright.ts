/**
 * The developer's own `@playwright/test`. Playwright refuses to be loaded twice in one run, so the kit
 * uses the copy the test runner loaded (resolved from the project being tested), and its own only as
 * a fallback (e.g. when the kit is linked into a project with `file:`).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

type PlaywrightTest = typeof import('@playwright/test');

function load(): PlaywrightTest {
  for (const from of [join(process.cwd(), 'package.json'), import.meta.filename]) {
    try {
      return createRequire(from)('@playwright/test') as PlaywrightTest;
    } catch {
      // not installed there: try the next place
    }
  }
  throw new Error('mandate/playwright needs @playwright/test: npm install -D @playwright/test');
}

export const playwright: PlaywrightTest = load();
