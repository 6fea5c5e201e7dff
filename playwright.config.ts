import { defineConfig } from '@playwright/test';
import { register } from 'node:module';
import { resolve } from 'node:path';

// `#shared/*` (package.json "imports") resolves to the TypeScript sources, here (where test files are listed)
// and in every worker (each loads this config first).
register('./scripts/source-condition-hooks.mjs', import.meta.url);

// Test daemons keep their audit keys here, not in the user's config directory.
process.env.MANDATE_KEY_DIR ??= resolve(import.meta.dirname, 'test-results/audit-keys');

/** Real Chromium from the system (Debian's `chromium`); Playwright never downloads a browser here. */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Chromium specs drive Playwright's own browser API; the Firefox specs drive Debian's firefox-esr through
  // puppeteer-core over WebDriver BiDi (e2e/firefox/firefox.ts), since Playwright's Firefox cannot be installed here.
  projects: [
    { name: 'chromium', testIgnore: 'firefox/**' },
    { name: 'firefox', testDir: 'e2e/firefox' },
  ],
  timeout: 60_000,
  workers: 1,
  retries: 0,
  outputDir: 'test-results/e2e',
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/playwright.json' }]] : [['list']],
});
