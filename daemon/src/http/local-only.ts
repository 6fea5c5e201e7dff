import { OAuthError, refusal } from './errors.js';
import { headerOf } from './incoming.js';

/** Browser-extension origins. Web pages (http, https, null, file) never get an answer from the daemon. */
const EXTENSION_ORIGIN_RE = /^(chrome-extension|moz-extension|safari-web-extension):\/\/[a-zA-Z0-9-]{1,64}$/;

export const isExtensionOrigin = (origin: string): boolean => EXTENSION_ORIGIN_RE.test(origin);

/**
 * DNS-rebinding and cross-site guard for every route (security checklist 2, 3):
 * the Host header must name loopback on our port, and an Origin header, if sent, must be an extension's.
 * `port` is read per request because it is only known once the socket is bound. Gives the refusal to answer
 * with, or undefined to go on.
 */
export function refuseUnlessLocal(port: () => number): (request: Request, env: unknown) => Response | undefined {
  let hosts: { port: number; names: readonly string[] } | undefined;
  const allowedHosts = (p: number) => {
    if (hosts?.port !== p) hosts = { port: p, names: [`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`] };
    return hosts.names;
  };
  return (request, env) => {
    const host = headerOf(request, env, 'host');
    const allowed = allowedHosts(port());
    if (host === undefined || !allowed.includes(host.toLowerCase())) {
      return refusal(
        new OAuthError(403, 'invalid_request', `Host "${(host ?? '').slice(0, 100)}" is not allowed; the daemon answers only on ${allowed.join(', ')}`),
      );
    }
    const origin = headerOf(request, env, 'origin');
    if (origin !== undefined && !isExtensionOrigin(origin)) {
      return refusal(new OAuthError(403, 'access_denied', `Origin "${origin.slice(0, 100)}" may not call the Mandate daemon; only the paired extension may`));
    }
    return undefined;
  };
}
