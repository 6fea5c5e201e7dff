import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ADMIN_PREFIX } from '../../../shared/src/admin-api.js';
import { oauthErrorBody } from '../../../shared/src/oauth.js';
import { CLI_CREDENTIAL_FILE, DEFAULT_PORT, defaultHome, parsePort } from '../config.js';
import { readDaemonState } from '../daemon.js';

/** A failure talking to the daemon, phrased for the person at the terminal. Exit code 1. */
export class DaemonCallError extends Error {
  override name = 'DaemonCallError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface Target {
  home: string;
  port: number;
  explicitPort: boolean;
}

/** Where the daemon is: --home / MANDATE_HOME, then --port / MANDATE_PORT / the running daemon's state file / 7457. */
export function resolveTarget(flags: { home?: string | undefined; port?: string | undefined }, env: NodeJS.ProcessEnv): Target {
  const home = flags.home ?? defaultHome(env);
  const explicit = parsePort(flags.port) ?? parsePort(env.MANDATE_PORT);
  return { home, port: explicit ?? readDaemonState(home)?.port ?? DEFAULT_PORT, explicitPort: explicit !== undefined };
}

/** Admin API client for the CLI, authenticated with the credential file the daemon wrote (0600). */
export function adminClient(target: Target) {
  const base = `http://127.0.0.1:${target.port}${ADMIN_PREFIX}`;
  let credential: string;
  try {
    credential = readFileSync(join(target.home, CLI_CREDENTIAL_FILE), 'utf8').trim();
  } catch {
    throw new DaemonCallError(
      `no CLI credential in ${target.home}. Start the daemon first (npm start, or npx mandate daemon${target.home ? ` --home ${target.home}` : ''}).`,
    );
  }

  async function call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: {
          authorization: `Bearer ${credential}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new DaemonCallError(
        `cannot reach the Mandate daemon at http://127.0.0.1:${target.port}. Is it running? Start it with: npm start (or npx mandate daemon)`,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DaemonCallError(`the daemon answered ${res.status} with something that is not JSON`);
    }
    if (!res.ok) {
      const err = oauthErrorBody.safeParse(json);
      if (res.status === 401) {
        throw new DaemonCallError(
          `the daemon refused the CLI credential in ${target.home}: is this the daemon's data dir? (${err.success ? (err.data.error_description ?? err.data.error) : res.status})`,
          'invalid_token',
        );
      }
      if (err.success) throw new DaemonCallError(err.data.error_description ?? err.data.error, err.data.error);
      throw new DaemonCallError(`the daemon answered ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new DaemonCallError(`unexpected answer from the daemon for ${path}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  return {
    get: <S extends z.ZodType>(path: string, schema: S) => call('GET', path, schema),
    post: <S extends z.ZodType>(path: string, schema: S, body: unknown = {}) => call('POST', path, schema, body),
    delete: <S extends z.ZodType>(path: string, schema: S) => call('DELETE', path, schema),
  };
}
export type AdminClient = ReturnType<typeof adminClient>;
