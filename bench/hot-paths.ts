/**
 * The requests the HTTP benchmarks send, ready to fire: against a running daemon, an agent with one approved grant
 * and a resource server, and the RFC 8693 exchange, introspection and metadata requests; against the
 * node-oidc-provider peer (bench/peers/oidc-provider.ts), its client_credentials issuance and opaque-token
 * introspection. bench/http.ts and bench/paired.ts time them, bench/alloc.ts weighs the garbage each leaves; all send
 * load through `drive`, which refuses a run with any failed request.
 */
import autocannon from 'autocannon';
import type { SpawnedDaemon, SpawnedServer } from './daemon.js';
import { PEER_CLIENT, PEER_RESOURCE } from './peers/oidc-provider-client.js';

export const FORM = 'application/x-www-form-urlencoded';
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** One request to repeat: what autocannon sends. */
export interface HotRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

async function postForm(url: string, auth: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': FORM, authorization: auth }, body: new URLSearchParams(params) });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const formRequest = (url: string, auth: string, body: string): HotRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': FORM, authorization: auth },
  body,
});

/** The body of an RFC 8693 exchange of `subjectToken` within its grant, as agents send it. */
const exchangeForm = (subjectToken: string): string =>
  new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  }).toString();

export interface MandatePaths {
  /** The agent's access token (an RFC 9068 JWT): the exchange's subject token and the token introspected. */
  token: string;
  exchange: HotRequest;
  introspect: HotRequest;
  metadata: HotRequest;
}

/** Registers an agent and a resource server on `mandate`, has the agent's CIBA request approved, and takes its token. */
export async function mandatePaths(mandate: SpawnedDaemon): Promise<MandatePaths> {
  const adminCall = (method: string, path: string, body?: unknown) => mandate.admin.call<Record<string, string>>(method, path, body);
  const MAIL = 'https://mail.example/';
  const agent = await adminCall('POST', '/agents', { name: 'Bench agent', scopes: ['mail.read', 'mail.send'], resources: [MAIL] });
  const rs = await adminCall('POST', '/agents', { name: 'Bench API', kind: 'resource_server', resources: [MAIL] });
  const agentAuth = basic(agent.client_id!, agent.client_secret!);
  const bc = await postForm(`${mandate.url}/bc-authorize`, agentAuth, { scope: 'mail.read', resource: MAIL, requested_expiry: '3600' });
  await adminCall('POST', `/requests/${String(bc.auth_req_id)}/approve`, {});
  const { access_token: token } = (await postForm(`${mandate.url}/token`, agentAuth, {
    grant_type: 'urn:openid:params:grant-type:ciba',
    auth_req_id: String(bc.auth_req_id),
  })) as { access_token: string };
  return {
    token,
    exchange: formRequest(`${mandate.url}/token`, agentAuth, exchangeForm(token)),
    introspect: formRequest(`${mandate.url}/introspect`, basic(rs.client_id!, rs.client_secret!), `token=${token}`),
    metadata: { url: `${mandate.url}/.well-known/oauth-authorization-server`, method: 'GET' },
  };
}

export interface PeerPaths {
  issue: HotRequest;
  introspect: HotRequest;
}

/** node-oidc-provider's client_credentials issuance of an ES256 JWT, and introspection of an opaque token it issued. */
export async function peerPaths(peer: SpawnedServer): Promise<PeerPaths> {
  const auth = basic(PEER_CLIENT.client_id, PEER_CLIENT.client_secret);
  const issueParams = { grant_type: 'client_credentials', resource: PEER_RESOURCE, scope: 'api.read' };
  const jwt = await postForm(`${peer.url}/token`, auth, issueParams);
  if (String(jwt.access_token).split('.').length !== 3) throw new Error('node-oidc-provider did not issue a JWT access token');
  const opaque = await postForm(`${peer.url}/token`, auth, { grant_type: 'client_credentials', scope: 'api.read' });
  return {
    issue: formRequest(`${peer.url}/token`, auth, new URLSearchParams(issueParams).toString()),
    introspect: formRequest(`${peer.url}/token/introspection`, auth, `token=${String(opaque.access_token)}`),
  };
}

/**
 * The request a ceiling in bench/peers/ takes on `path`, from its JSON start line: at `/token` the exchange of the
 * subject token it knows (the checking ceiling; the others take a bare POST), at `/introspect` the token it knows,
 * with the client credentials it was started with, if any.
 */
export function ceilingRequest(server: SpawnedServer, path: '/token' | '/introspect'): HotRequest {
  const { authorization, subject_token: subject, token } = server.start;
  const headers = { 'content-type': FORM, ...(authorization === undefined ? {} : { authorization: String(authorization) }) };
  if (path === '/introspect') return { url: `${server.url}${path}`, method: 'POST', headers, body: `token=${String(token)}` };
  return subject === undefined
    ? { url: `${server.url}${path}`, method: 'POST' }
    : { url: `${server.url}${path}`, method: 'POST', headers, body: exchangeForm(String(subject)) };
}

/** How long to drive: for `duration` seconds, or until `amount` requests are answered. */
export type DriveLength = { connections: number } & ({ duration: number } | { amount: number });

/**
 * Sends `request` over `connections` keep-alive connections (autocannon), for a time or a number of requests. A
 * run in which any request got a non-2xx answer, an error or a timeout, or none was answered, measured something
 * else, so it fails, named by `label`.
 */
export async function drive(request: HotRequest, length: DriveLength, label = request.url): Promise<autocannon.Result> {
  const r = await autocannon({
    url: request.url,
    method: request.method,
    ...length,
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body ? { body: request.body } : {}),
  });
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${label}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests.total}`);
  }
  if (r.requests.total === 0) throw new Error(`${label}: no request was answered`);
  return r;
}
