/**
 * What a ceiling reads from a request. `readBody`: the body straight from the socket, as the daemon reads it (the
 * web `Request` path costs more than the rest of an introspection).
 *
 * `ceilingClient`: client authentication as the ceilings do it when asked to (`--auth`, `--checks`): the least any
 * endpoint that authenticates its caller must do per request — OAuth 2.1 requires it of a confidential client at
 * the token endpoint, and RFC 7662 §2.1 of whoever introspects. HTTP Basic (RFC 6749 §2.3.1: form-urlencoded, then
 * base64), the client's record found by id in memory (the daemon caches its client records the same way, until
 * the clients table changes), the presented secret's SHA-256 compared in constant time with the stored hash
 * (secrets are never kept in clear). Nothing else: no throttling, no audit row on failure.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const BASIC_RE = /^Basic ([A-Za-z0-9+/]+={0,2})$/i;
const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));

export async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface CeilingClient {
  /** The `Authorization` header value the load generator sends. */
  authorization: string;
  /** Whether the request's credentials name a known client and its secret. */
  authenticate(incoming: IncomingMessage): boolean;
}

/** One registered client with a fresh secret, and the check of a request's credentials against it. */
export function ceilingClient(): CeilingClient {
  const id = `client_${randomBytes(8).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const clients = new Map([[id, { secret_hash: sha256(secret) }]]);
  return {
    authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    authenticate(incoming) {
      const match = BASIC_RE.exec(incoming.headers.authorization ?? '');
      if (!match) return false;
      const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1) return false;
      const row = clients.get(formDecode(decoded.slice(0, colon)));
      const presented = sha256(formDecode(decoded.slice(colon + 1)));
      return row !== undefined && row.secret_hash.length === presented.length && timingSafeEqual(row.secret_hash, presented);
    },
  };
}
