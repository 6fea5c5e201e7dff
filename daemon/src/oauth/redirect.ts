import { isLoopbackHttp } from '#shared/loopback.js';

/**
 * Exact redirect URI matching (OAuth 2.1 §4.1.1); for http on a loopback host the port may differ
 * (RFC 8252 §7.3: native apps bind an ephemeral port). Scheme, host, path and query must still be identical.
 */
export function redirectMatches(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  let p: URL;
  try {
    p = new URL(presented);
  } catch {
    return false;
  }
  if (!isLoopbackHttp(p)) return false;
  return registered.some((r) => {
    try {
      const u = new URL(r);
      return u.protocol === 'http:' && u.hostname === p.hostname && u.pathname === p.pathname && u.search === p.search && u.hash === '' && p.hash === '';
    } catch {
      return false;
    }
  });
}

/** The redirect URI with the response parameters added to its query (RFC 6749 §4.1.2, RFC 9207 `iss`). */
export function withParams(redirectUri: string, params: Record<string, string | null | undefined>): string {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) u.searchParams.set(k, v);
  return u.toString();
}
