/**
 * The paired daemon's own authorization pages (MCP clients, authorization code): its /authorize, which the
 * coarse interception rules also catch (it carries client_id), and the waiting page a tab lands on.
 * Matched on the daemon's port with either loopback name, since a client may have discovered it on localhost.
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function sameDaemon(daemonUrl: string, url: URL): boolean {
  try {
    const d = new URL(daemonUrl);
    return (
      url.protocol === 'http:' && LOOPBACK.has(url.hostname) && LOOPBACK.has(d.hostname) && url.port === d.port && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
}

export function isDaemonAuthorize(daemonUrl: string, address: string): boolean {
  try {
    const u = new URL(address);
    return sameDaemon(daemonUrl, u) && u.pathname === '/authorize';
  } catch {
    return false;
  }
}

/** The grant id of a daemon waiting page, or undefined when the address is anything else. */
export function daemonWaitingGrant(daemonUrl: string, address: string): string | undefined {
  try {
    const u = new URL(address);
    if (!sameDaemon(daemonUrl, u) || u.pathname !== '/authorize/wait') return undefined;
    const grant = u.searchParams.get('grant');
    return grant !== null && /^grt_[A-Za-z0-9_-]{1,64}$/.test(grant) && u.searchParams.has('request') ? grant : undefined;
  } catch {
    return undefined;
  }
}

/** A cheap first check, before asking which daemon is paired: an http loopback address with this path. */
export function isLoopbackPath(address: string, path: string): boolean {
  try {
    const u = new URL(address);
    return u.protocol === 'http:' && LOOPBACK.has(u.hostname) && u.pathname === path;
  } catch {
    return false;
  }
}
