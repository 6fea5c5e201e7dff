/**
 * A real third-party authorization server for the consent-interception tests: node-oidc-provider
 * (not written here), on loopback, with a request log of its own so tests can prove what reached it
 * and when. Its client's redirect_uri is a loopback callback: a local agent platform Mandate knows.
 */
import Provider from 'oidc-provider';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export const GMAIL_READ = 'https://www.googleapis.com/auth/gmail.readonly';
export const GMAIL_SEND = 'https://www.googleapis.com/auth/gmail.send';

export interface AuthServer {
  issuer: string;
  clientId: string;
  callback: string;
  /** Every request the authorization server received: path and query, in order. */
  log: { path: string; query: URLSearchParams }[];
  authorizeUrl(scope: string): string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

export async function startAuthServer(): Promise<AuthServer> {
  // the agent platform's callback: it only has to answer, so the redirect back can be observed
  const callbackServer = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Agent</title><p>Connected.'));
  const callback = `http://127.0.0.1:${await listen(callbackServer)}/callback`;

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const asServer = createServer((req, res) => handler?.(req, res));
  const issuer = `http://127.0.0.1:${await listen(asServer)}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'agent-platform',
        client_secret: 'agent-platform-secret',
        application_type: 'native',
        redirect_uris: [callback],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    scopes: ['openid', GMAIL_READ, GMAIL_SEND],
    cookies: { keys: ['mandate-e2e-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
  });
  const log: AuthServer['log'] = [];
  provider.use(async (ctx, next) => {
    log.push({ path: ctx.path, query: new URLSearchParams(ctx.querystring) });
    await next();
  });
  handler = provider.callback();

  return {
    issuer,
    clientId: 'agent-platform',
    callback,
    log,
    authorizeUrl(scope: string) {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: 'agent-platform',
        redirect_uri: callback,
        scope,
        state: 'e2e-state',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      return `${issuer}/auth?${q}`;
    },
    async close() {
      asServer.closeAllConnections();
      callbackServer.closeAllConnections();
      await Promise.all([new Promise((r) => asServer.close(r)), new Promise((r) => callbackServer.close(r))]);
    },
  };
}
