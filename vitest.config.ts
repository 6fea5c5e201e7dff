import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { SOURCE_CONDITION } from './scripts/source-condition.js';

export default defineConfig({
  // `#shared/*` (package.json "imports") resolves to the TypeScript sources, not to dist/, in every environment
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    include: [
      'daemon/test/**/*.test.ts',
      'shared/test/**/*.test.ts',
      'extension/test/**/*.test.ts',
      'kits/playwright/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'scripts/package/test/**/*.test.ts',
    ],
    environment: 'node',
    globalSetup: ['daemon/test/build.global.ts'],
    setupFiles: ['daemon/test/test-keys.setup.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
  },
});
