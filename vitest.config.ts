import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'daemon/test/**/*.test.ts',
      'shared/test/**/*.test.ts',
      'extension/test/**/*.test.ts',
      'kits/playwright/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
    ],
    environment: 'node',
    globalSetup: ['daemon/test/build.global.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
  },
});
