/** The names of this machine on loopback, as `URL.hostname` spells them (IPv6 in brackets). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A plain-http URL on a loopback host: the daemon's own address, and the loopback redirects of RFC 8252 §7.3. */
export function isLoopbackHttp(u: URL): boolean {
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
}
