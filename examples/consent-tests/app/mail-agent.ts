/**
 * An agent that works on the person's mail through Mandate (OpenID CIBA), and the mail API it calls,
 * which checks every token with Mandate (RFC 7662 introspection) before doing anything.
 */
import { createServer } from 'node:http';
import { listen } from './provider.js';

export interface Client {
  clientId: string;
  clientSecret: string;
}

const basic = (c: Client) => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;

async function form(url: string, client: Client, params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The mail API: GET /messages needs mail.read, POST /drafts needs mail.send. */
export interface MailApi {
  /** The resource URI agents ask for. */
  url: string;
  /** The API's own client credentials at Mandate (registered as a resource server). */
  credentials: Client | undefined;
  close(): Promise<void>;
}

export async function startMailApi(mandateUrl: string): Promise<MailApi> {
  const server = createServer(async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const need = req.url === '/drafts' ? 'mail.send' : 'mail.read';
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!token || !api.credentials) return send(401, { error: 'invalid_token' });
    const { body } = await form(`${mandateUrl}/introspect`, api.credentials, { token });
    if (body.active !== true) return send(401, { error: 'invalid_token', error_description: 'token is not active' });
    if (
      !String(body.scope ?? '')
        .split(' ')
        .includes(need)
    )
      return send(403, { error: 'insufficient_scope', scope: need });
    send(200, req.url === '/drafts' ? { drafted: 1 } : { messages: ['Hello from the example'] });
  });
  const api: MailApi = {
    url: `http://127.0.0.1:${await listen(server)}/`,
    credentials: undefined,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  return api;
}

/** One task: ask the person (via Mandate), then work step by step; stops cleanly when access ends. */
export class MailAgent {
  status = 'idle';
  token: string | undefined;
  constructor(
    private readonly mandateUrl: string,
    private readonly client: Client,
    private readonly api: string,
  ) {}

  /** Asks for access; resolves when the person approved (or refused) it. */
  async ask(scopes: string[], task: string): Promise<void> {
    const asked = await form(`${this.mandateUrl}/bc-authorize`, this.client, {
      scope: scopes.join(' '),
      resource: this.api,
      binding_message: task,
      requested_expiry: '3600',
    });
    if (asked.status !== 200) throw new Error(`bc-authorize: ${JSON.stringify(asked.body)}`);
    let interval = Number(asked.body.interval ?? 5);
    for (;;) {
      await new Promise((r) => setTimeout(r, interval * 1000));
      const t = await form(`${this.mandateUrl}/token`, this.client, {
        grant_type: 'urn:openid:params:grant-type:ciba',
        auth_req_id: String(asked.body.auth_req_id),
      });
      if (t.status === 200) {
        this.token = String(t.body.access_token);
        this.status = 'working';
        return;
      }
      if (t.body.error === 'slow_down') interval += 5;
      else if (t.body.error !== 'authorization_pending') {
        this.status = `not allowed: ${String(t.body.error)}`;
        return;
      }
    }
  }

  /** One step of the task; a refused token ends the task instead of failing it. */
  async step(what: 'read' | 'draft'): Promise<boolean> {
    const res = await fetch(new URL(what === 'read' ? 'messages' : 'drafts', this.api), {
      method: what === 'read' ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${this.token ?? ''}` },
    });
    if (res.status === 401) this.status = 'stopped: access was revoked or expired';
    else if (res.status === 403) this.status = 'stopped: missing permission';
    return res.ok;
  }
}
