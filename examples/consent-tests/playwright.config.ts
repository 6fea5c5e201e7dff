import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests',
  timeout: 120_000,
  // each test gets its own daemon and Chromium (mandateOptions.scope 'test'); one at a time on small CI machines
  workers: 1,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/playwright.json' }]] : [['list']],
});
