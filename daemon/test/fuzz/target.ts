/**
 * The fuzz target: the real daemon (real SQLite file in a temp dir, clock under the fuzzer's control), driven
 * in-process through Hono's `app.request` so a case costs no socket. Also watches every write the daemon makes,
 * with TEMP triggers on its own connection, so a property can say exactly what a refused request changed.
 * No vitest imports: the same target serves the seeded slice in vitest and the `npm run fuzz` runner.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentCreated, grantView, type AgentCreated } from '#shared/admin-api.js';
import { ADMIN_PREFIX } from '#shared/admin-contract.js';
import { GRANT_TYPE_CIBA, bcAuthorizeResponse, tokenResponse } from '#shared/oauth.js';
import { createApp } from '../../src/app.js';
import { DEFAULT_MCP_CLIENT_OPTIONS } from '../../src/clients/mcp-clients.js';
import { CLI_CREDENTIAL_FILE } from '../../src/config.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon.js';

export const FUZZ_PERSON = 'user:fuzz@test-host';
export const MAIL = 'https://mail.example/';

export interface FuzzClock {
  (): number;
  set(t: number): void;
  readonly start: number;
}

function fuzzClock(start = 1_800_000_000): FuzzClock {
  let now = start;
  const clock = (() => now) as FuzzClock;
  clock.set = (t: number) => {
    now = t;
  };
  Object.defineProperty(clock, 'start', { value: start });
  return clock;
}

/** One write the daemon made: the table, the operation, and for audit rows their outcome and type. */
export interface Write {
  tbl: string;
  /** insert | update | delete; `bookkeeping` for the quiet columns below; `expiry` for a status moved to expired. */
  op: string;
  outcome: string | null;
  type?: string | null;
}

export interface FuzzTarget {
  daemon: RunningDaemon;
  app: ReturnType<typeof createApp>['app'];
  clock: FuzzClock;
  /** The Host the daemon accepts. */
  host: string;
  adminToken: string;
  agent: AgentCreated;
  resourceServer: AgentCreated;
  /** Calls the app in-process; never throws for a request it can build. */
  call(method: string, path: string, init?: { headers?: Record<string, string>; body?: string | Uint8Array }): Promise<Response>;
  /** A pending request (new one each call): its auth_req_id. */
  request(params?: Record<string, string>): Promise<string>;
  approve(authReqId: string): Promise<string>;
  firstToken(authReqId: string): Promise<string>;
  revokeGrant(grantId: string): Promise<void>;
  /** Event-stream subscriptions open right now (each GET /admin/events holds one until its client goes). */
  openStreams(): number;
  /** Clears and returns the writes seen since the last call. */
  takeWrites(): Write[];
  close(): Promise<void>;
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** Columns whose update alone is bookkeeping of a successful call, not a state change (see takeWrites). */
const BOOKKEEPING: Record<string, string[]> = {
  // a successful admin authentication refreshes last_used_at (at most once a minute)
  admin_credentials: ['last_used_at'],
  // a CIBA poll records when it came, so the next one can be told slow_down (OpenID CIBA §11)
  grants: ['last_polled_at'],
};

function installWriteWatch(db: RunningDaemon['ctx']['db']): void {
  db.exec('CREATE TEMP TABLE fuzz_writes (tbl TEXT NOT NULL, op TEXT NOT NULL, outcome TEXT, type TEXT)');
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
    .map((t) => t.name);
  for (const t of tables) {
    const cols = db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${t}')`)
      .all()
      .map((c) => c.name);
    const outcome = cols.includes('outcome') ? 'NEW.outcome' : 'NULL';
    const type = cols.includes('type') ? 'NEW.type' : 'NULL';
    const quiet = BOOKKEEPING[t] ?? [];
    const changed = cols.filter((c) => !quiet.includes(c)).map((c) => `OLD."${c}" IS NOT NEW."${c}"`);
    // lazy expiry: a request or grant found overdue on use is moved to `expired`, as the periodic sweep would
    const expiry = cols.includes('status') ? `WHEN NEW.status = 'expired' AND OLD.status IS NOT 'expired' THEN 'expiry' ` : '';
    const whens = `${expiry}${quiet.length ? `WHEN NOT (${changed.join(' OR ')}) THEN 'bookkeeping' ` : ''}`;
    const updateOp = whens ? `CASE ${whens}ELSE 'update' END` : `'update'`;
    db.exec(`
      CREATE TEMP TRIGGER fuzz_ins_${t} AFTER INSERT ON main."${t}" BEGIN INSERT INTO fuzz_writes VALUES ('${t}', 'insert', ${outcome}, ${type}); END;
      CREATE TEMP TRIGGER fuzz_upd_${t} AFTER UPDATE ON main."${t}" BEGIN INSERT INTO fuzz_writes VALUES ('${t}', ${updateOp}, NULL, NULL); END;
      CREATE TEMP TRIGGER fuzz_del_${t} AFTER DELETE ON main."${t}" BEGIN INSERT INTO fuzz_writes VALUES ('${t}', 'delete', NULL, NULL); END;
    `);
  }
}

async function okJson(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`${what} failed: ${res.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/** Starts a daemon in a fresh temp dir with one agent (mail.read, mail.send on MAIL) and one resource server. */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const home = mkdtempSync(join(tmpdir(), 'mandate-fuzz-'));
  const clock = fuzzClock();
  const daemon = await startDaemon({ home, port: 0, person: FUZZ_PERSON, clock, log: () => {}, sweepIntervalMs: 3_600_000 });
  // the same app the daemon serves, built on its context, so requests need no socket
  const { app } = createApp(daemon.ctx, () => daemon.port, DEFAULT_MCP_CLIENT_OPTIONS);
  const host = `127.0.0.1:${daemon.port}`;
  const adminToken = readFileSync(join(home, CLI_CREDENTIAL_FILE), 'utf8').trim();
  installWriteWatch(daemon.ctx.db);
  let streams = 0;
  const subscribe = daemon.ctx.bus.subscribe;
  daemon.ctx.bus.subscribe = (listener) => {
    streams++;
    const unsubscribe = subscribe(listener);
    let open = true;
    return () => {
      if (open) streams--;
      open = false;
      unsubscribe();
    };
  };

  const call: FuzzTarget['call'] = async (method, path, init = {}) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(init.headers ?? {})) headers.append(k, v);
    const body = init.body === undefined || method === 'GET' || method === 'HEAD' ? undefined : init.body;
    return app.request(`http://${host}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  };
  const admin = (method: string, path: string, body?: unknown) =>
    call(method, ADMIN_PREFIX + path, {
      headers: { host, authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  const form = (path: string, params: Record<string, string>, who: AgentCreated) =>
    call('POST', path, {
      headers: { host, 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(who.client_id, who.client_secret) },
      body: new URLSearchParams(params).toString(),
    });
  const register = async (kind: 'agent' | 'resource_server', name: string) =>
    agentCreated.parse(
      await okJson(await admin('POST', '/agents', { name, kind, scopes: kind === 'agent' ? ['mail.read', 'mail.send'] : [], resources: [MAIL] }), 'register'),
    );
  const agent = await register('agent', 'Fuzz agent');
  const resourceServer = await register('resource_server', 'Fuzz mail server');

  const writes = daemon.ctx.db.prepare<[], Write>('SELECT tbl, op, outcome, type FROM temp.fuzz_writes');
  const clear = daemon.ctx.db.prepare('DELETE FROM temp.fuzz_writes');

  return {
    daemon,
    app,
    clock,
    host,
    adminToken,
    agent,
    resourceServer,
    call,
    async request(params = {}) {
      const res = await form(
        '/bc-authorize',
        { scope: 'mail.read mail.send', resource: MAIL, binding_message: 'Fuzz task', requested_expiry: '3600', ...params },
        agent,
      );
      return bcAuthorizeResponse.parse(await okJson(res, 'bc-authorize')).auth_req_id;
    },
    async approve(authReqId) {
      return grantView.parse(await okJson(await admin('POST', `/requests/${encodeURIComponent(authReqId)}/approve`, {}), 'approve')).id;
    },
    async firstToken(authReqId) {
      const res = await form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, agent);
      return tokenResponse.parse(await okJson(res, 'token')).access_token;
    },
    async revokeGrant(grantId) {
      await okJson(await admin('POST', `/grants/${encodeURIComponent(grantId)}/revoke`, {}), 'revoke');
    },
    openStreams: () => streams,
    takeWrites() {
      const seen = writes.all();
      clear.run();
      return seen;
    },
    async close() {
      await daemon.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
