import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminCallError, adminClient } from '#shared/admin-client.js';
import { MandateError } from '#shared/errors.js';
import { CLI_CREDENTIAL_FILE, DEFAULT_PORT, defaultHome } from '../config.js';
import { readDaemonState } from '../state-file.js';
import { portOption } from './args.js';
import { loopbackFetch } from './loopback-http.js';

export interface Target {
  home: string;
  port: number;
  explicitPort: boolean;
}

/** Where the daemon is: --home / MANDATE_HOME, then --port / MANDATE_PORT / the running daemon's state file / 7457. */
export function resolveTarget(flags: { home?: string | undefined; port?: string | undefined }, env: NodeJS.ProcessEnv): Target {
  const home = flags.home ?? defaultHome(env);
  const explicit = portOption(flags.port, '--port') ?? portOption(env.MANDATE_PORT, 'MANDATE_PORT');
  return { home, port: explicit ?? readDaemonState(home)?.port ?? DEFAULT_PORT, explicitPort: explicit !== undefined };
}

/** The shared admin client, authenticated with the credential file the daemon wrote (0600); failures phrased for the terminal. */
export function cliClient(target: Target) {
  const base = `http://127.0.0.1:${target.port}`;
  let credential: string;
  try {
    credential = readFileSync(join(target.home, CLI_CREDENTIAL_FILE), 'utf8').trim();
  } catch (e) {
    throw new MandateError(
      'no_credential',
      `no CLI credential in ${target.home}. Start the daemon first (npm start, or node bin/mandate.js daemon${target.home ? ` --home ${target.home}` : ''}).`,
      String(e),
    );
  }
  const client = adminClient(loopbackFetch, base, () => ({ authorization: `Bearer ${credential}` }));
  const call: typeof client.call = async (...args) => {
    try {
      return await client.call(...args);
    } catch (e) {
      throw phrased(e, target);
    }
  };
  return { call };
}
export type CliClient = ReturnType<typeof cliClient>;

function phrased(e: unknown, target: Target): unknown {
  if (!(e instanceof AdminCallError)) return e;
  if (e.code === 'daemon_unreachable') {
    return new AdminCallError(
      e.code,
      `cannot reach the Mandate daemon at http://127.0.0.1:${target.port}. Is it running? Start it with: npm start (or node bin/mandate.js daemon)`,
      e.status,
      e.oauth,
      e.detail,
    );
  }
  if (e.status === 401) {
    return new AdminCallError(
      e.code,
      `the daemon refused the CLI credential in ${target.home}: is this the daemon's data dir? (${e.message})`,
      e.status,
      e.oauth,
      e.detail,
    );
  }
  return e;
}
