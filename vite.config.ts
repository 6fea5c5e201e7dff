import { crx } from '@crxjs/vite-plugin';
import { resolve } from 'node:path';
import { defaultClientConditions, defineConfig } from 'vite';
import { extensionManifest } from './extension/manifest.config.js';
import { noEval } from './extension/scripts/no-eval.js';
import { updateUrlsFrom } from './scripts/package/update-urls.js';
import { SOURCE_CONDITION } from './scripts/source-condition.js';

/**
 * Builds the MV3 extension from one source: `vite build` → dist/extension (Chrome, Edge),
 * `vite build --mode firefox` → dist/extension-firefox. Load either unpacked from there.
 * Self-hosted builds: MANDATE_UPDATE_URL / MANDATE_GECKO_UPDATE_URL set the update URLs (validated here;
 * an invalid one fails the build). `npm run package` packs the result (scripts/package/).
 */
export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox';
  // bench/popup.ts only: a build with another scope catalog (the hand-written overrides) to measure what the generated one costs
  const benchCatalog = process.env.MANDATE_BENCH_CATALOG;
  const manifest = extensionManifest(updateUrlsFrom(process.env));
  return {
    root: resolve(import.meta.dirname, 'extension'),
    plugins: [noEval(), crx({ manifest, browser: firefox ? 'firefox' : 'chrome' })],
    resolve: {
      // `#shared/*` (package.json "imports") resolves to the TypeScript sources, not to dist/
      conditions: [SOURCE_CONDITION, ...defaultClientConditions],
      ...(benchCatalog ? { alias: [{ find: /^\.\/catalog\.json$/, replacement: resolve(benchCatalog) }] } : {}),
    },
    build: {
      outDir: process.env.MANDATE_BENCH_OUT_DIR ?? resolve(import.meta.dirname, firefox ? 'dist/extension-firefox' : 'dist/extension'),
      emptyOutDir: true,
      rollupOptions: {
        input: {
          activity: resolve(import.meta.dirname, 'extension/src/activity/index.html'),
          review: resolve(import.meta.dirname, 'extension/src/review/index.html'),
          approve: resolve(import.meta.dirname, 'extension/src/approve/index.html'),
        },
      },
    },
  };
});
