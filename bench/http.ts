/**
 * The daemon's hot HTTP paths side by side with references measured in the same run (issue 14's table):
 *
 *   token issuance  Mandate RFC 8693 exchange within a grant  vs node-oidc-provider client_credentials (ES256 JWT)
 *   introspection   Mandate /introspect by a resource server  vs node-oidc-provider opaque-token introspection
 *   metadata        Mandate RFC 8414 metadata                 vs a Hono "hello" on the same server stack
 *
 * Token issuance also prints two durable-write ceilings (bench/peers/durable-ceiling.ts): the same server stack
 * doing nothing per request but the group-committed, fsynced token and audit rows an exchange must write before
 * it answers, then that plus one ES256 signature. The reference writes nothing; the ceilings show the most any
 * durable issuer can reach here, before client authentication, body parsing and subject-token checks.
 * Introspection prints the read ceiling (bench/peers/read-ceiling.ts): the same stack reading the form body and
 * the token's and grant's rows, which is what seeing a revocation on the very next call costs at least.
 *
 * Each server runs in its own process; autocannon drives it from this one with BENCH_CONNECTIONS (50)
 * connections for BENCH_SECONDS (8) each. Introspection is also driven at a fixed 500 req/s for its p99.
 * Figures are req/s, p50/p99 latency and the ratio Mandate / reference; compare runs by the ratio.
 */
import autocannon from 'autocannon';
import { benchKeyDir, spawnDaemon, spawnServer, stop } from './daemon.js';
import { PEER_CLIENT, PEER_RESOURCE } from './peers/oidc-provider-client.js';

benchKeyDir();
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const FIXED_RATE = Number(process.env.BENCH_FIXED_RATE ?? 500);

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

async function post(url: string, auth: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': FORM, authorization: auth }, body: new URLSearchParams(params) });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  rate?: number;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
}

async function load(l: Load): Promise<Figures> {
  const r = await autocannon({
    url: l.url,
    method: l.method ?? 'GET',
    connections: l.rate ? 10 : CONNECTIONS,
    duration: SECONDS,
    ...(l.headers ? { headers: l.headers } : {}),
    ...(l.body ? { body: l.body } : {}),
    ...(l.rate ? { overallRate: l.rate } : {}),
  });
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${l.url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests.total}`);
  }
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

// ---- Mandate
const mandate = await spawnDaemon();
const adminCall = (method: string, path: string, body?: unknown) => mandate.admin.call<Record<string, string>>(method, path, body);
const MAIL = 'https://mail.example/';
const agent = await adminCall('POST', '/agents', { name: 'Bench agent', scopes: ['mail.read', 'mail.send'], resources: [MAIL] });
const rs = await adminCall('POST', '/agents', { name: 'Bench API', kind: 'resource_server', resources: [MAIL] });
const agentAuth = basic(agent.client_id!, agent.client_secret!);
const rsAuth = basic(rs.client_id!, rs.client_secret!);
const bc = await post(`${mandate.url}/bc-authorize`, agentAuth, { scope: 'mail.read', resource: MAIL, requested_expiry: '3600' });
await adminCall('POST', `/requests/${String(bc.auth_req_id)}/approve`, {});
const { access_token: token } = (await post(`${mandate.url}/token`, agentAuth, {
  grant_type: 'urn:openid:params:grant-type:ciba',
  auth_req_id: String(bc.auth_req_id),
})) as { access_token: string };
const exchangeBody = new URLSearchParams({
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  subject_token: token,
  subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
}).toString();

// ---- references
const peer = await spawnServer(['--import', 'tsx', 'bench/peers/oidc-provider.ts']);
const peerAuth = basic(PEER_CLIENT.client_id, PEER_CLIENT.client_secret);
const peerJwt = await post(`${peer.url}/token`, peerAuth, { grant_type: 'client_credentials', resource: PEER_RESOURCE, scope: 'api.read' });
if (String(peerJwt.access_token).split('.').length !== 3) throw new Error('node-oidc-provider did not issue a JWT access token');
const peerOpaque = await post(`${peer.url}/token`, peerAuth, { grant_type: 'client_credentials', scope: 'api.read' });
const hello = await spawnServer(['--import', 'tsx', 'bench/peers/hono-hello.ts']);
const ceilingPeer = await spawnServer(['--import', 'tsx', 'bench/peers/durable-ceiling.ts']);
const signingCeilingPeer = await spawnServer(['--import', 'tsx', 'bench/peers/durable-ceiling.ts', '--sign']);
const readCeilingPeer = await spawnServer(['--import', 'tsx', 'bench/peers/read-ceiling.ts']);

interface Row {
  path: string;
  mandate: Figures;
  reference: Figures;
  referenceName: string;
  goal: number;
  /** Ceilings on the same stack: the least work the path must do, and nothing else (bench/peers/*-ceiling.ts). */
  ceilings?: { label: string; what: string; figures: Figures }[];
}

const rows: Row[] = [];
try {
  const formHeaders = (auth: string) => ({ 'content-type': FORM, authorization: auth });
  rows.push({
    path: 'token issuance (RFC 8693 exchange in a grant)',
    referenceName: 'node-oidc-provider client_credentials, ES256 JWT',
    goal: 2,
    mandate: await load({ url: `${mandate.url}/token`, method: 'POST', headers: formHeaders(agentAuth), body: exchangeBody }),
    reference: await load({
      url: `${peer.url}/token`,
      method: 'POST',
      headers: formHeaders(peerAuth),
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: PEER_RESOURCE, scope: 'api.read' }).toString(),
    }),
    ceilings: [
      { label: 'ceiling', what: 'durable writes only', figures: await load({ url: `${ceilingPeer.url}/token`, method: 'POST' }) },
      {
        label: '+signature',
        what: 'durable writes + ES256 signature',
        figures: await load({ url: `${signingCeilingPeer.url}/token`, method: 'POST' }),
      },
    ],
  });
  const introspectMandate: Load = { url: `${mandate.url}/introspect`, method: 'POST', headers: formHeaders(rsAuth), body: `token=${token}` };
  const introspectPeer: Load = {
    url: `${peer.url}/token/introspection`,
    method: 'POST',
    headers: formHeaders(peerAuth),
    body: `token=${String(peerOpaque.access_token)}`,
  };
  rows.push({
    path: 'introspection by a resource server',
    referenceName: 'node-oidc-provider opaque-token introspection',
    goal: 3,
    mandate: await load(introspectMandate),
    reference: await load(introspectPeer),
    ceilings: [
      {
        label: 'ceiling',
        what: 'form body + token and grant rows read',
        figures: await load({
          url: `${readCeilingPeer.url}/introspect`,
          method: 'POST',
          headers: { 'content-type': FORM },
          body: `token=${String(readCeilingPeer.start.token)}`,
        }),
      },
    ],
  });
  rows.push({
    path: `introspection at a fixed ${FIXED_RATE} req/s (p99 goal ≤ 5 ms)`,
    referenceName: 'node-oidc-provider, same rate',
    goal: 0,
    mandate: await load({ ...introspectMandate, rate: FIXED_RATE }),
    reference: await load({ ...introspectPeer, rate: FIXED_RATE }),
  });
  rows.push({
    path: 'RFC 8414 metadata',
    referenceName: 'Hono "hello", same server stack',
    goal: 0.6,
    mandate: await load({ url: `${mandate.url}/.well-known/oauth-authorization-server` }),
    reference: await load({ url: hello.url }),
  });
} finally {
  await Promise.all([mandate.stop(), ...[peer, hello, ceilingPeer, signingCeilingPeer, readCeilingPeer].map((s) => stop(s.child))]);
}

const f = (x: Figures) => `${x.rps.toFixed(0).padStart(6)} req/s  p50 ${String(x.p50).padStart(3)} ms  p99 ${String(x.p99).padStart(3)} ms`;
console.log(`HTTP hot paths: ${CONNECTIONS} connections, ${SECONDS} s per target, node ${process.version}`);
for (const r of rows) {
  const ratio = r.mandate.rps / r.reference.rps;
  const verdict = r.goal > 0 ? `goal ≥ ${r.goal}× ${ratio >= r.goal ? 'met' : 'NOT met'}` : `p99 ${r.mandate.p99 <= 5 ? 'met' : 'NOT met'}`;
  console.log(`\n${r.path}\n  Mandate    ${f(r.mandate)}\n  reference  ${f(r.reference)}   (${r.referenceName})`);
  for (const c of r.ceilings ?? []) {
    const times = (x: number) => `${x.toFixed(2)}×`;
    console.log(
      `  ${c.label.padEnd(10)} ${f(c.figures)}   (${c.what}: ${times(c.figures.rps / r.reference.rps)} the reference; Mandate is ${times(r.mandate.rps / c.figures.rps)} it)`,
    );
  }
  console.log(`  ratio      ${ratio.toFixed(2)}×   ${verdict}`);
}
