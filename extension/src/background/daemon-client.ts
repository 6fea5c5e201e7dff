import type { z } from 'zod';
import { ADMIN_PREFIX } from '../../../shared/src/admin-api.js';
import { oauthErrorBody } from '../../../shared/src/oauth.js';
import { dpopProof, type ProofKey } from './proof.js';

/** Why a daemon call failed, in the ways the UI must tell apart (`impostor`: see daemon-identity.ts). */
export class DaemonError extends Error {
  override name = 'DaemonError';
  constructor(
    readonly kind: 'unreachable' | 'rejected' | 'refused' | 'impostor',
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What proves the extension to its daemon: the credential, sent only with a DPoP proof by the paired key. */
export interface DaemonAuth {
  credential: string;
  proofKey: ProofKey;
}

/** `auth` is present only once the daemon at `url` proved it holds the pinned identity key. */
export interface DaemonTarget {
  url: string;
  auth?: DaemonAuth | undefined;
}

/** The headers of a credential-bearing request (RFC 9449 §7.1): `Authorization: DPoP` and a fresh proof. */
export async function authHeaders(auth: DaemonAuth, method: string, url: string): Promise<Record<string, string>> {
  return { authorization: `DPoP ${auth.credential}`, dpop: await dpopProof(auth.proofKey, method, url, auth.credential) };
}

let unreachableEpoch = 0;
/**
 * Counts the times the daemon's address stopped answering. Whatever answers after that must prove its identity
 * again before it gets a credential (connection.ts compares the count it verified at).
 */
export const noteUnreachable = (): void => void unreachableEpoch++;
export const unreachableCount = (): number => unreachableEpoch;

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
  const url = target.url + ADMIN_PREFIX + path;
  const auth = target.auth ? await authHeaders(target.auth, method, url) : {};
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...auth,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    noteUnreachable();
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
