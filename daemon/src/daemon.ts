import { getRequestListener } from '@hono/node-server';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MAX_TOKEN_LIFETIME_SECONDS } from '../../shared/src/oauth.js';
import { createApp } from './app.js';
import { auditExporter, type AuditExporter } from './audit/export.js';
import { auditLog } from './audit/log.js';
import { systemClock, type Clock } from './clock.js';
import { CLI_CREDENTIAL_FILE, DAEMON_STATE_FILE, DB_FILE } from './config.js';
import { DEFAULT_LIMITS, type DaemonContext, type Limits } from './context.js';
import { eventBus, transactor } from './events.js';
import { clientsRepo } from './store/clients.repo.js';
import { credentialsRepo } from './store/credentials.repo.js';
import { externalRepo } from './store/external.repo.js';
import { openDatabase } from './store/db.js';
import { grantsRepo } from './store/grants.repo.js';
import { tokensRepo } from './store/tokens.repo.js';
import { loadSigningKeys } from './tokens/keys.js';
import { tokenVerifier } from './tokens/verify.js';
import { VERSION } from './version.js';
import type { AuditExportPolicy, Policy } from '../../shared/src/policy.js';
import { policyHolder } from './policy/enforce.js';

export const LOOPBACK = '127.0.0.1';

export interface DaemonOptions {
  home: string;
  port: number;
  person: string;
  clock?: Clock;
  limits?: Partial<Limits>;
  log?: (message: string) => void;
  /** How often overdue requests and grants are moved to `expired` (each is also checked on every use). */
  sweepIntervalMs?: number;
  /** Organisation policy (see policy/load.ts); none means no organisational limits. */
  policy?: { policy: Policy; path: string | null };
  /** Also send the audit trail to this OTLP/HTTP collector (policy `auditExport`; see audit/export.ts). */
  auditExport?: AuditExportPolicy;
}

export interface RunningDaemon {
  url: string;
  port: number;
  home: string;
  person: string;
  pairingCode: { code: string; expires_at: number };
  ctx: DaemonContext;
  /** Runs the expiry sweep now (it also runs every sweepIntervalMs). */
  sweep(): void;
  /** Present when `auditExport` was given. */
  auditExporter?: AuditExporter;
  close(): Promise<void>;
}

/** A start-up failure with a message meant for the person at the terminal. */
export class DaemonStartError extends Error {
  override name = 'DaemonStartError';
}

interface DaemonState {
  pid: number;
  port: number;
  issuer: string;
  started_at: number;
}

function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readDaemonState(home: string): DaemonState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(home, DAEMON_STATE_FILE), 'utf8')) as DaemonState;
    return typeof state.port === 'number' && typeof state.pid === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new DaemonStartError(`port ${port} on ${LOOPBACK} is already in use: another Mandate daemon or another program is listening there. Stop it, or start with --port <n> (or MANDATE_PORT) and point the extension and CLI at that port.`));
      } else if (e.code === 'EACCES') {
        reject(new DaemonStartError(`not allowed to listen on ${LOOPBACK}:${port}; choose a port above 1023 with --port`));
      } else reject(e);
    });
    server.listen(port, LOOPBACK, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Opens the store, binds loopback, and serves the daemon. Resolves once it is ready for requests. */
export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? ((m: string) => console.error(m));
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  mkdirSync(opts.home, { recursive: true, mode: 0o700 });
  chmodSync(opts.home, 0o700);

  const other = readDaemonState(opts.home);
  if (other && other.pid !== process.pid && isAlive(other.pid)) {
    throw new DaemonStartError(`another Mandate daemon (pid ${other.pid}) is already using ${opts.home} on port ${other.port}`);
  }

  const db = openDatabase(join(opts.home, DB_FILE));
  let server: Server | undefined;
  try {
    const keys = await loadSigningKeys(db, clock, MAX_TOKEN_LIFETIME_SECONDS);
    let handler: ((req: Request) => Response | Promise<Response>) | undefined;
    server = createServer(
      getRequestListener((req) => (handler ? handler(req) : new Response(null, { status: 503 }))),
    );
    const port = await listen(server, opts.port);
    const issuer = `http://${LOOPBACK}:${port}`;
    const bus = eventBus();
    const tx = transactor(db, bus);
    const ctx: DaemonContext = {
      db,
      clock,
      issuer,
      person: opts.person,
      dataDir: opts.home,
      version: VERSION,
      limits,
      policy: policyHolder(opts.policy?.policy ?? {}, opts.policy?.path ?? null),
      clients: clientsRepo(db),
      grants: grantsRepo(db),
      tokens: tokensRepo(db),
      credentials: credentialsRepo(db),
      external: externalRepo(db),
      audit: auditLog(db, clock, (id) => tx.enqueue({ type: 'audit', id })),
      keys,
      verifyAccessToken: tokenVerifier(keys, issuer, clock),
      tx,
      bus,
      log,
    };
    const exporter = opts.auditExport
      ? auditExporter(db, opts.auditExport, { log, serviceName: 'mandate', hostName: hostname(), person: opts.person, clock })
      : undefined;
    const { app, services } = createApp(ctx, () => port);
    handler = app.fetch;

    writePrivate(join(opts.home, CLI_CREDENTIAL_FILE), services.pairing.rotateCliCredential() + '\n');
    const state: DaemonState = { pid: process.pid, port, issuer, started_at: clock() };
    writePrivate(join(opts.home, DAEMON_STATE_FILE), JSON.stringify(state, null, 2) + '\n');
    const pairingCode = services.pairing.newCode();

    const sweep = () => {
      try {
        services.grants.expireDue();
        services.external.expireDue();
        // a lapsed token may still renew while its grant lives, so keep its jti that long
        ctx.tokens.purgeExpired(clock() - limits.maxDelegationSeconds);
      } catch (e) {
        log(`expiry sweep failed: ${(e as Error).message}`);
      }
    };
    sweep();
    const timer = setInterval(sweep, opts.sweepIntervalMs ?? 5000);
    timer.unref();
    exporter?.start();

    const srv = server;
    let closed = false;
    return {
      url: issuer,
      port,
      home: opts.home,
      person: opts.person,
      pairingCode,
      ctx,
      sweep,
      auditExporter: exporter,
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        await exporter?.stop(); // aborts a request in flight; its events stay queued for the next start
        srv.closeAllConnections();
        await new Promise<void>((resolve) => srv.close(() => resolve()));
        if (readDaemonState(opts.home)?.pid === process.pid) rmSync(join(opts.home, DAEMON_STATE_FILE), { force: true });
        db.close();
      },
    };
  } catch (e) {
    server?.close();
    db.close();
    throw e;
  }
}
