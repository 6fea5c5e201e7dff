/**
 * The app under test: a mail assistant that connects to the provider with OAuth (authorization code +
 * PKCE) and copes with what the person decides: all scopes, fewer scopes, or nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { listen, MAIL_READ, MAIL_SEND, startProvider, type MailProvider } from './provider.js';

export const SCOPES = ['openid', MAIL_READ, MAIL_SEND];

export interface WebApp {
  url: string;
  provider: MailProvider;
  close(): Promise<void>;
}

const page = (body: string) => `<!doctype html><meta charset="utf-8"><title>Mail assistant</title><main>${body}</main>`;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startWebApp(): Promise<WebApp> {
  const sessions = new Map<string, string>(); // state → PKCE verifier
  let provider: MailProvider | undefined;
  const client = { clientId: 'mail-assistant', clientSecret: 'mail-assistant-secret', redirectUri: '' };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', client.redirectUri);
    const html = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(page(body));
    if (url.pathname === '/') {
      const state = randomBytes(16).toString('base64url');
      const verifier = randomBytes(32).toString('base64url');
      sessions.set(state, verifier);
      const auth = new URL(`${provider!.issuer}/auth`);
      auth.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: client.redirectUri,
        scope: SCOPES.join(' '),
        state,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      return html(200, `<h1>Mail assistant</h1><p>Not connected.</p><a href="${escapeHtml(auth.href)}">Connect your mail</a>`);
    }
    if (url.pathname === '/callback') {
      const state = url.searchParams.get('state') ?? '';
      const verifier = sessions.get(state);
      sessions.delete(state);
      if (url.searchParams.has('error'))
        return html(200, `<h1>Not connected</h1><p role="alert">The provider said: ${escapeHtml(url.searchParams.get('error') ?? '')}</p>`);
      if (!verifier) return html(400, '<h1>Not connected</h1><p role="alert">Unknown sign-in attempt.</p>');
      const token = await fetch(`${provider!.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: url.searchParams.get('code') ?? '',
          redirect_uri: client.redirectUri,
          code_verifier: verifier,
        }),
      });
      const body = (await token.json()) as { scope?: string; error?: string };
      if (!token.ok) return html(200, `<h1>Not connected</h1><p role="alert">Token request failed: ${escapeHtml(body.error ?? String(token.status))}</p>`);
      const granted = (body.scope ?? '').split(' ');
      const features = [
        granted.includes(MAIL_READ) ? 'Reading mail: on' : 'Reading mail: off',
        granted.includes(MAIL_SEND) ? 'Sending mail: on' : 'Sending mail: off (not allowed)',
      ];
      return html(200, `<h1>Connected</h1><ul>${features.map((f) => `<li>${f}</li>`).join('')}</ul>`);
    }
    html(404, '<h1>Not found</h1>');
  });
  const port = await listen(server);
  client.redirectUri = `http://127.0.0.1:${port}/callback`;
  provider = await startProvider(client);
  return {
    url: `http://127.0.0.1:${port}/`,
    provider,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await provider!.close();
    },
  };
}
