/**
 * Runs before every test file (vitest.config.ts `setupFiles`): daemons that tests start, in-process or through the
 * CLI, keep their audit keys under one temporary root, never in the real user config directory (config.ts,
 * `defaultKeyDir`). Without it, a test that started a daemon without the harness (the fuzz target, the CLI's
 * `daemon` command) left a key directory in ~/.config/mandate on every run.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Audit keys of test daemons live under this root, one subdirectory per data directory. */
export const TEST_KEY_ROOT = join(tmpdir(), 'mandate-test-keys');
process.env.MANDATE_KEY_DIR ??= TEST_KEY_ROOT;
