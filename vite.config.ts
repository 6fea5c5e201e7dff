import { crx } from '@crxjs/vite-plugin';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import manifest from './extension/manifest.config.js';

/** Builds the MV3 extension into dist/extension (load it unpacked from there). */
export default defineConfig({
  root: resolve(import.meta.dirname, 'extension'),
  plugins: [crx({ manifest })],
  build: {
    outDir: resolve(import.meta.dirname, 'dist/extension'),
    emptyOutDir: true,
  },
});
