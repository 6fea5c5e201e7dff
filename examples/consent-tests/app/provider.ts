/** The mail provider: node-oidc-provider on loopback, with a log of every request it received. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider from 'oidc-provider';

export const MAIL_READ = 'mail.read';
export const MAIL_SEND = 'mail.send';

export interface MailProvider {
  issuer: string;
  /** Paths and queries the provider received, in order: the witness of what Mandate let through. */
  log: { path: string; query: URLSearchParams }[];
  close(): Promise<void>;
}

export function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

export async function startProvider(client: { clientId: string; clientSecret: string; redirectUri: string }): Promise<MailProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => handler?.(req, res));
  const issuer = `http://127.0.0.1:${await listen(server)}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        application_type: 'native',
        redirect_uris: [client.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    scopes: ['openid', MAIL_READ, MAIL_SEND],
    cookies: { keys: ['consent-tests-example'] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
  });
  const log: MailProvider['log'] = [];
  provider.use(async (ctx, next) => {
    log.push({ path: ctx.path, query: new URLSearchParams(ctx.querystring) });
    await next();
  });
  handler = provider.callback();
  return {
    issuer,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
