import { AdminCallError, type CallArgs, adminClient } from '#shared/admin-client.js';
import type { AdminCallName, AdminResponse } from '#shared/admin-contract.js';
import { isReplyErrorCode, type ReplyErrorCode } from '#shared/protocol.js';
import { ExtensionError } from '../lib/errors.js';
import { dpopProof, type ProofKey } from './proof.js';

/** Why a daemon call failed, in the ways the UI must tell apart (`impostor`: see daemon-identity.ts). */
export class DaemonError extends ExtensionError {
  override name = 'DaemonError';
  constructor(
    readonly kind: 'unreachable' | 'rejected' | 'refused' | 'impostor',
    code: ReplyErrorCode,
    message: string,
    detail?: string,
  ) {
    super(code, message, detail);
  }
}

/** The daemon's own `error` code when it is one of ours, else `bad_response` (an answer outside the contract). */
const refusalCode = (e: AdminCallError): ReplyErrorCode => {
  const code = e.oauth?.error;
  return code !== undefined && isReplyErrorCode(code) ? code : 'bad_response';
};

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

/** The URL of the daemon's event stream (GET /admin/events). */
export const eventsUrl = (target: DaemonTarget): string => adminClient(fetch, target.url).url('events');

/**
 * One admin API call through the shared contract client: DPoP-proofed when `target` carries the credential,
 * answers parsed with the endpoint's schema; failures become DaemonError (and an unreachable daemon is noted).
 */
export async function callDaemon<N extends AdminCallName>(target: DaemonTarget, name: N, ...args: CallArgs<N>): Promise<AdminResponse<N>> {
  const { auth } = target;
  const fetchLike = (url: string, init: RequestInit) => fetch(url, { ...init, cache: 'no-store', credentials: 'omit' });
  const client = adminClient(fetchLike, target.url, auth ? (method, url) => authHeaders(auth, method, url) : undefined);
  try {
    return await client.call(name, ...args);
  } catch (e) {
    if (!(e instanceof AdminCallError)) throw e;
    if (e.code === 'daemon_unreachable') {
      noteUnreachable();
      throw new DaemonError('unreachable', 'unreachable', `The Mandate daemon is not answering at ${target.url}.`);
    }
    if (e.code === 'bad_response')
      throw new DaemonError('refused', 'bad_response', `Unexpected answer from the daemon (${e.status ?? 'no status'}).`, e.detail);
    throw new DaemonError(e.status === 401 ? 'rejected' : 'refused', refusalCode(e), e.message, e.detail);
  }
}
