import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_PORT = 7457;
export const DB_FILE = 'mandate.db';
export const CLI_CREDENTIAL_FILE = 'cli-credential';
export const DAEMON_STATE_FILE = 'daemon.json';

/** The per-OS user data directory, unless MANDATE_HOME or --home says otherwise. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.MANDATE_HOME) return env.MANDATE_HOME;
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Mandate');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Mandate');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'mandate');
}

/**
 * Where the audit key and the signed head checkpoint live: outside the data directory, so write access to the
 * database alone cannot rewrite history (docs/security.md, "What `mandate audit verify` proves").
 * MANDATE_KEY_DIR or --key-dir overrides it. Each data directory gets its own subdirectory (audit/key.ts).
 */
export function defaultKeyDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.MANDATE_KEY_DIR) return env.MANDATE_KEY_DIR;
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Mandate Keys');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Mandate', 'keys');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'mandate');
}

/** `user:<os user>@<host>` unless --user says otherwise. */
export function defaultPerson(): string {
  return `user:${userInfo().username}@${hostname()}`;
}

/** Port from --port, MANDATE_PORT, or the default; anything else is a usage error. */
export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,5}$/.test(value)) throw new RangeError(`port must be a number from 0 to 65535, not "${value}"`);
  const n = Number(value);
  if (n > 65535) throw new RangeError(`port must be a number from 0 to 65535, not "${value}"`);
  return n;
}
