import { execFileSync } from 'node:child_process';
import { bundleDaemon } from '../../scripts/bundle-daemon.js';

/** Compiles and bundles the daemon once so tests that spawn the real `mandate` binary run current code. */
export default async function setup(): Promise<void> {
  if (process.env.MANDATE_SKIP_BUILD === '1') return; // scripts/protection-removal.ts runs vitest many times over
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  await bundleDaemon();
}
