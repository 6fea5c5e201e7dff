/**
 * The package.json "imports" condition under which `#shared/*.js` resolves to the TypeScript sources
 * (shared/src/*.ts) instead of the build (dist/shared/src/*.js). Type-checking (tsconfig `customConditions`),
 * vite, vitest, tsx (`node --conditions=mandate-source --import tsx`) and Playwright set it; plain Node running
 * dist/ (bin/mandate.js, the published kits) does not, and gets the build.
 */
export const SOURCE_CONDITION = 'mandate-source';
