import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_CREDENTIAL_FILE, DAEMON_STATE_FILE, DB_FILE } from '../config.js';

/** What Mandate itself keeps in its data directory. Anything else means --home points at someone else's directory. */
const OWN_FILES = new Set([DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, `${DB_FILE}-journal`, CLI_CREDENTIAL_FILE, DAEMON_STATE_FILE]);

/** The data directory cannot be used; the message says what to do. */
export class HomeDirError extends Error {
  override name = 'HomeDirError';
}

/**
 * Makes the data directory, or takes over an existing one only when it is empty or holds Mandate's own files:
 * Mandate makes it private (0700), and must not do that silently to a directory that holds other things
 * (`--home ~` would lock the person out of their own files for other users and programs). Returns a note
 * for the log when it changed the mode of an existing directory.
 */
export function prepareHome(home: string): string | undefined {
  let mode: number;
  try {
    const st = lstatSync(home);
    if (!st.isDirectory()) throw new HomeDirError(`${home} is not a directory; choose a new or empty directory for --home (MANDATE_HOME)`);
    mode = st.mode & 0o777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(home, { recursive: true, mode: 0o700 });
    chmodSync(home, 0o700);
    return undefined;
  }
  const foreign = readdirSync(home)
    .filter((name) => !OWN_FILES.has(name))
    .sort();
  if (foreign.length > 0) {
    const shown =
      foreign
        .slice(0, 5)
        .map((n) => JSON.stringify(n))
        .join(', ') + (foreign.length > 5 ? `, and ${foreign.length - 5} more` : '');
    throw new HomeDirError(
      `${home} holds files that are not Mandate's (${shown}). Mandate keeps its database there and makes the directory private (mode 0700), so it will not take over a directory in use: choose a new or empty directory for --home (MANDATE_HOME), e.g. ${join(home, 'mandate')}`,
    );
  }
  if (mode === 0o700) return undefined;
  chmodSync(home, 0o700);
  return `made the data directory ${home} private: mode ${mode.toString(8).padStart(4, '0')} → 0700`;
}
