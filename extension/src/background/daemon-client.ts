import type { z } from 'zod';
import { ADMIN_PREFIX } from '../../../shared/src/admin-api.js';
import { oauthErrorBody } from '../../../shared/src/oauth.js';

/** Why a daemon call failed, in the three ways the UI must tell apart. */
export class DaemonError extends Error {
  override name = 'DaemonError';
  constructor(
    readonly kind: 'unreachable' | 'rejected' | 'refused',
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DaemonTarget {
  url: string;
  credential?: string | undefined;
}

/** One admin API call: JSON in and out, parsed with the shared schema; errors become DaemonError. */
export async function callDaemon<S extends z.ZodType>(
  target: DaemonTarget,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  schema: S,
  body?: unknown,
  signal?: AbortSignal,
): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(target.url + ADMIN_PREFIX + path, {
      method,
      headers: {
        ...(target.credential ? { authorization: `Bearer ${target.credential}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new DaemonError('unreachable', 'unreachable', `The Mandate daemon is not answering at ${target.url}.`);
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new DaemonError('refused', 'bad_response', `The daemon answered ${res.status} without JSON.`);
  }
  if (!res.ok) {
    const err = oauthErrorBody.safeParse(json);
    const code = err.success ? err.data.error : String(res.status);
    const message = err.success ? (err.data.error_description ?? err.data.error) : `HTTP ${res.status}`;
    throw new DaemonError(res.status === 401 ? 'rejected' : 'refused', code, message);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new DaemonError('refused', 'bad_response', `Unexpected answer from the daemon for ${path}.`);
  return parsed.data;
}
