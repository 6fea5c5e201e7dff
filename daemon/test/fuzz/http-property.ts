/**
 * Property over every HTTP input: no 5xx, every error is `{error, error_description}` with a 4xx, no CORS grant,
 * and a refused request writes nothing but its bounded refusal audit rows.
 */
import fc from 'fast-check';
import { adminPath } from '#shared/admin-contract.js';
import * as z from 'zod';
import { OAUTH_ERROR_CODES } from '#shared/errors.js';
import { sendRaw } from './raw-http.js';
import { REFS, httpCase, type HttpCase, type Ref } from './requests.js';
import { basicAuth, startFuzzTarget, type FuzzTarget, type Write } from './target.js';

/** Most audit rows one refused request may add (the refusal itself, e.g. client.auth_failed). */
export const MAX_REFUSAL_AUDIT_ROWS = 1;
const POOL_SIZE = 20;

const errorBody = z.strictObject({ error: z.enum(OAUTH_ERROR_CODES), error_description: z.string().trim().min(1) });

export interface HttpWorld {
  target: FuzzTarget;
  pools: Record<Ref, string[]>;
  /** Cases run so far; the world is topped up with live grants now and then. */
  count: number;
  stats: { status: Map<number, number> };
}

function remember(pool: string[], v: unknown): void {
  if (typeof v !== 'string' || pool.includes(v)) return;
  pool.push(v);
  if (pool.length > POOL_SIZE) pool.shift();
}

/** A live grant with its token, and a pending request, added to the pools. */
async function topUp(w: HttpWorld): Promise<void> {
  const t = w.target;
  // time moves on between batches: pending requests, tokens and rate-limit windows expire under the fuzzer
  if (w.count > 0) t.clock.set(t.clock() + 61 + (w.count % 7) * 100);
  const live = await t.request();
  const grantId = await t.approve(live);
  remember(w.pools.token, await t.firstToken(live));
  remember(w.pools.grantId, grantId);
  remember(w.pools.authReqId, live);
  remember(w.pools.authReqId, await t.request());
  t.takeWrites();
}

export async function startHttpWorld(): Promise<HttpWorld> {
  const target = await startFuzzTarget();
  const pools = Object.fromEntries(REFS.map((r) => [r, [] as string[]])) as Record<Ref, string[]>;
  pools.agentId.push(target.agent.client_id);
  pools.agentSecret.push(target.agent.client_secret);
  pools.rsId.push(target.resourceServer.client_id);
  pools.rsSecret.push(target.resourceServer.client_secret);
  pools.adminToken.push(target.adminToken);
  pools.port.push(String(target.daemon.port));
  pools.pairCode.push(target.daemon.pairingCode.code);
  const w: HttpWorld = { target, pools, count: 0, stats: { status: new Map() } };
  await topUp(w);
  // one revoked grant whose token stays in the pool
  const revoked = await target.request();
  const revokedGrant = await target.approve(revoked);
  remember(pools.token, await target.firstToken(revoked));
  await target.revokeGrant(revokedGrant);
  remember(pools.grantId, revokedGrant);
  target.takeWrites();
  return w;
}

function resolver(w: HttpWorld, pick: number) {
  return (s: string): string =>
    s.replace(/«(\w+)»/g, (_m, name: string) => {
      const pool = w.pools[name as Ref] ?? [];
      return pool.length ? pool[pick % pool.length]! : 'none';
    });
}

function resolveHeader(name: string, template: string, fill: (s: string) => string): string {
  const v = fill(template);
  // `Basic «id»:«secret»` is a readable template for real client_secret_basic
  const basic = /^Basic (.*):(.*)$/s.exec(v);
  if (name === 'authorization' && template.includes('«') && basic) return basicAuth(basic[1]!, basic[2]!);
  return v;
}

function bodyBytes(c: HttpCase, fill: (s: string) => string): Buffer | undefined {
  switch (c.body.kind) {
    case 'none':
      return undefined;
    case 'bytes':
      return Buffer.from(c.body.bytes);
    case 'json':
      return Buffer.from(fill(c.body.text), 'utf8');
    case 'form': {
      const pairs = c.body.pairs.map(([k, v]): [string, string] => [fill(k), fill(v)]);
      const text = c.body.raw ? pairs.map(([k, v]) => `${k}=${v}`).join('&') : new URLSearchParams(pairs).toString();
      return Buffer.from(text, 'utf8');
    }
  }
}

interface Answer {
  status: number;
  contentType: string;
  acao: string | null;
  body: string;
  /** Answered by Node's HTTP parser rather than the app (malformed at the HTTP level). */
  byParser: boolean;
  /** A HEAD answer carries no body. */
  head: boolean;
}

async function readSome(res: Response): Promise<string> {
  // the event stream never ends: take what the first write says, then hang up (a client reconnecting)
  if (!res.body) return '';
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const reader = res.body.getReader();
    const first = await reader.read();
    await reader.cancel();
    return new TextDecoder().decode(first.value ?? new Uint8Array());
  }
  return res.text();
}

async function send(w: HttpWorld, c: HttpCase, pick: number): Promise<Answer | 'unsendable'> {
  const fill = resolver(w, pick);
  const path = fill(c.path) + (c.query.length ? `?${new URLSearchParams(c.query.map(([k, v]): [string, string] => [fill(k), fill(v)])).toString()}` : '');
  const headers = c.headers.map(([k, v]): [string, string] => [k, resolveHeader(k, v, fill)]);
  const body = bodyBytes(c, fill);
  if (c.transport === 'socket') {
    const len = body?.length ?? 0;
    const lie = { true: len, short: Math.max(0, len - 3), long: len + 10, none: -1 }[c.contentLength ?? 'true'];
    const lines = [
      `${c.method} ${path} HTTP/1.1`,
      ...headers.filter(([k]) => k !== 'content-length' && k !== 'transfer-encoding').map(([k, v]) => `${k}: ${v}`),
    ];
    if (lie >= 0) lines.push(`content-length: ${lie}`);
    lines.push('connection: close');
    const raw = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body ?? Buffer.alloc(0)]);
    const a = await sendRaw(w.target.daemon.port, raw);
    if (a === 'timeout') return { status: -1, contentType: '', acao: null, body: 'no answer within 5 s', byParser: false, head: false };
    const ct = a.headers['content-type'] ?? '';
    return {
      status: a.status,
      contentType: ct,
      acao: a.headers['access-control-allow-origin'] ?? null,
      body: a.body,
      byParser: a.status >= 400 && a.status < 500 && ct === '' && a.body === '',
      head: c.method === 'HEAD',
    };
  }
  let req: Request;
  try {
    const h = new Headers();
    for (const [k, v] of headers) h.append(k, v);
    const method = c.method;
    const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
    req = new Request(`http://${w.target.host}${path}`, { method, headers: h, ...(withBody ? { body } : {}) });
  } catch {
    return 'unsendable'; // a header or URL fetch itself refuses to build: no daemon could ever receive it this way
  }
  const res = await w.target.app.fetch(req);
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    acao: res.headers.get('access-control-allow-origin'),
    body: await readSome(res),
    byParser: false,
    head: c.method === 'HEAD',
  };
}

/** Why this answer breaks a property, or null. */
export function judge(a: Answer, writes: Write[]): string | null {
  if (a.status === -1) return 'the daemon never answered';
  if (a.status >= 500) return `answered ${a.status}: ${a.body.slice(0, 300)}`;
  if (a.acao !== null) return `sent Access-Control-Allow-Origin: ${a.acao}`;
  if (a.status < 400) return null;
  if (a.byParser) return null; // Node's HTTP parser refused the bytes before the app saw them; nothing ran
  if (a.status === 0) return null;
  if (a.head) return writes.some((x) => x.op !== 'bookkeeping') ? `a refused HEAD wrote ${JSON.stringify(writes)}` : null; // no body
  let json: unknown;
  try {
    json = JSON.parse(a.body);
  } catch {
    return `error body is not JSON: ${a.body.slice(0, 200)}`;
  }
  const parsed = errorBody.safeParse(json);
  if (!parsed.success) return `error body is not {error, error_description}: ${a.body.slice(0, 200)}`;
  if (!/^application\/json/.test(a.contentType)) return `error content-type is ${a.contentType}`;
  const state = writes.filter((x) => !x.tbl.startsWith('audit') && x.op !== 'bookkeeping' && x.op !== 'expiry');
  if (state.length) return `a refusal (${a.status} ${parsed.data.error}) wrote ${JSON.stringify(state)}`;
  const expiries = writes.filter((x) => x.op === 'expiry').length;
  // each lazily expired record gets its own `*.expired` audit row, as the sweep would write
  const expiredRows = writes.filter((x) => x.tbl === 'audit' && x.op === 'insert' && x.outcome === 'ok' && /\.expired$/.test(x.type ?? ''));
  if (expiredRows.length > expiries) return `a refusal wrote ${expiredRows.length} expiry audit rows for ${expiries} expiries`;
  const audit = writes.filter((x) => x.tbl === 'audit' && !expiredRows.includes(x));
  if (audit.some((x) => x.op !== 'insert' || x.outcome !== 'refused')) return `a refusal wrote audit rows other than refusals: ${JSON.stringify(audit)}`;
  if (audit.length > MAX_REFUSAL_AUDIT_ROWS) return `a refusal wrote ${audit.length} audit rows`;
  return null;
}

function harvest(w: HttpWorld, c: HttpCase, status: number, body: string): void {
  if (status < 200 || status > 299) return;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  const o = v as Record<string, unknown>;
  remember(w.pools.authReqId, o.auth_req_id);
  remember(w.pools.token, o.access_token);
  remember(w.pools.credentialId, o.credential_id);
  if (c.path.endsWith('/pairing-codes')) remember(w.pools.pairCode, o.code);
  if (c.path.startsWith(adminPath('external.list'))) remember(w.pools.externalId, o.id);
  else if (c.path.startsWith(`${adminPath('requests.list')}/`) || c.path.startsWith(`${adminPath('grants.list')}/`)) remember(w.pools.grantId, o.id);
  if (c.path === adminPath('agents.create') && c.method === 'POST') remember(w.pools.clientId, o.client_id);
}

/** Runs one case against the world; throws (for fast-check) when a property breaks. */
export async function runHttpCase(w: HttpWorld, c: HttpCase, pick: number): Promise<void> {
  if (++w.count % 250 === 0) await topUp(w);
  w.target.takeWrites();
  const a = await send(w, c, pick);
  if (a === 'unsendable') return;
  const writes = w.target.takeWrites();
  w.stats.status.set(a.status, (w.stats.status.get(a.status) ?? 0) + 1);
  const why = judge(a, writes);
  if (why) throw new Error(why);
  if (c.path.includes('events')) {
    // every stream this case opened has been read and hung up on (or never opened): none may stay subscribed
    await new Promise((r) => setTimeout(r, 0));
    if (w.target.openStreams() > 0) throw new Error(`${w.target.openStreams()} event-stream subscription(s) still open after the client went away`);
  }
  harvest(w, c, a.status, a.body);
}

export const httpProperty = (w: HttpWorld) => fc.asyncProperty(httpCase, fc.nat(), (c, pick) => runHttpCase(w, c, pick));
