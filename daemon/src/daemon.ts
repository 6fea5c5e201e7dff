import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MandateError } from '#shared/errors.js';
import { MAX_TOKEN_LIFETIME_SECONDS } from '#shared/oauth.js';
import { createApp } from './app.js';
import { requestListener, type NodeFetch } from './http/node-listener.js';
import { AuditExportConfigError } from './audit/export-config.js';
import { auditExporter, type AuditExporter } from './audit/export.js';
import { rewindExportCursor } from './store/audit-export.repo.js';
import { DEFAULT_MCP_CLIENT_OPTIONS, type McpClientOptions } from './clients/mcp-clients.js';
import { AuditKeyError } from './audit/key.js';
import { auditLog, type AuditLog } from './audit/log.js';
import { auditRepo } from './store/audit.repo.js';
import { refusalAggregator } from './audit/refusals.js';
import { checkHeadAtStart, checkpointer, initEmptyHead, legacyChain, openAuditKey, type AuditTrailKey } from './audit/trail.js';
import { systemClock, type Clock } from './clock.js';
import { CLI_CREDENTIAL_FILE, DAEMON_STATE_FILE, DB_FILE, defaultKeyDir } from './config.js';
import { DEFAULT_LIMITS, type DaemonContext, type Limits } from './context.js';
import { eventBus, transactor, type Transactor } from './events.js';
import { clientsRepo } from './store/clients.repo.js';
import { credentialsRepo } from './store/credentials.repo.js';
import { externalRepo } from './store/external.repo.js';
import { openDatabase, type Database } from './store/db.js';
import { HomeDirError, prepareHome } from './store/home.js';
import { type DaemonState, readDaemonState } from './state-file.js';
import { grantsRepo } from './store/grants.repo.js';
import { tokensRepo } from './store/tokens.repo.js';
import { loadSigningKeys } from './tokens/keys.js';
import { tokenVerifier } from './tokens/verify.js';
import { version } from './version.js';
import type { AuditExportPolicy, Policy } from '#shared/policy.js';
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
  /** Root of the audit key directories (default: MANDATE_KEY_DIR or the per-OS config dir; see config.ts). */
  keyDir?: string;
  /** How often refusals counted over a client's rate are written as aggregate rows (default 60 s; also at shutdown). */
  refusalFlushSeconds?: number;
  /** MCP clients: metadata document fetch limits, registration rate and cleanup (see clients/mcp-clients.ts). */
  mcpClients?: Partial<McpClientOptions>;
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
  /** What the start-up check found wrong with the audit trail (also logged and recorded), or undefined. */
  auditTamper: string | undefined;
  /** Writes the refusals counted over their clients' rates as aggregate audit rows now (also periodic and at close). */
  flushRefusals(): void;
  close(): Promise<void>;
}

/** A start-up failure with a message meant for the person at the terminal. */
export class DaemonStartError extends MandateError {
  override name = 'DaemonStartError';
  constructor(message: string, detail?: string) {
    super('start_failed', message, detail);
  }
}

/** Runs a start-up step; its configuration error (`kind`) becomes a DaemonStartError with the same message. */
function startError<T>(kind: new (...args: never[]) => Error, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof kind) throw new DaemonStartError(e.message);
    throw e;
  }
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

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(
          new DaemonStartError(
            `port ${port} on ${LOOPBACK} is already in use: another Mandate daemon or another program is listening there. Stop it, or start with --port <n> (or MANDATE_PORT) and point the extension and CLI at that port.`,
          ),
        );
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

/**
 * The start-up check of the audit trail (audit/trail.ts). The first keyed start seals the rows written before
 * as a legacy prefix. On a mismatch the daemon still starts (revocation must keep working) but says so loudly,
 * moves the export cursor back to the end of what is left, and records `audit.tamper_detected`, which keeps
 * `audit verify` reporting the trail as broken from that row.
 */
function checkTrailAtStart(db: Database, trail: AuditTrailKey, audit: AuditLog, tx: Transactor, person: string, log: (m: string) => void): string | undefined {
  const problem = checkHeadAtStart(db, trail);
  const lastId = auditRepo(db).maxId();
  if (problem === undefined) {
    if (!trail.created) return undefined;
    if (lastId === 0) tx.transact(() => initEmptyHead(db, trail));
    else {
      const legacy = legacyChain(db);
      tx.transact(() =>
        audit.append({
          type: 'audit.keyed',
          outcome: 'ok',
          person,
          detail: { legacy_rows: trail.legacyRows, legacy_intact: legacy.intact, legacy_head: legacy.head },
        }),
      );
    }
    return undefined;
  }
  log(
    `\n*** WARNING: THE AUDIT TRAIL WAS TAMPERED WITH ***\n*** ${problem}\n*** Mandate keeps running (revocation works); \`mandate audit verify\` reports the trail as broken. See docs/security.md.\n`,
  );
  tx.transact(() => {
    const movedFrom = rewindExportCursor(db, lastId);
    audit.append({
      type: 'audit.tamper_detected',
      outcome: 'refused',
      person,
      detail: { reason: problem, last_id_found: lastId, export_rewound_from: movedFrom ?? null },
    });
  });
  return problem;
}

/** Opens the store, binds loopback, and serves the daemon. Resolves once it is ready for requests. */
export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? ((m: string) => console.error(m));
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  try {
    const note = prepareHome(opts.home);
    if (note) log(note);
  } catch (e) {
    if (e instanceof HomeDirError) throw new DaemonStartError(e.message);
    throw e;
  }

  const other = readDaemonState(opts.home);
  if (other && other.pid !== process.pid && isAlive(other.pid)) {
    throw new DaemonStartError(`another Mandate daemon (pid ${other.pid}) is already using ${opts.home} on port ${other.port}`);
  }

  const db = openDatabase(join(opts.home, DB_FILE), log);
  let server: Server | undefined;
  try {
    let trail: AuditTrailKey;
    try {
      trail = openAuditKey(db, opts.keyDir ?? defaultKeyDir(), opts.home);
    } catch (e) {
      if (e instanceof AuditKeyError) throw new DaemonStartError(e.message);
      throw e;
    }
    const checkpoints = checkpointer(db, trail, (e) => log(`could not write the audit checkpoint: ${e.message}`));
    const refusals = refusalAggregator(clock);
    const keys = loadSigningKeys(db, clock, MAX_TOKEN_LIFETIME_SECONDS);
    let handler: NodeFetch | undefined;
    const onError = (e: unknown) => log(`internal error while answering: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    server = createServer(requestListener((req, env) => (handler ? handler(req, env) : new Response(null, { status: 503 })), onError));
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
      version,
      limits,
      policy: policyHolder(opts.policy?.policy ?? {}, opts.policy?.path ?? null),
      clients: clientsRepo(db),
      grants: grantsRepo(db),
      tokens: tokensRepo(db),
      credentials: credentialsRepo(db),
      external: externalRepo(db),
      audit: auditLog(db, clock, {
        key: trail.key,
        legacyRows: trail.legacyRows,
        onAppend: (id) => tx.enqueue({ type: 'audit', id }),
        refusals,
        checkpoint: checkpoints,
      }),
      keys,
      verifyAccessToken: tokenVerifier(keys, issuer, clock),
      tx,
      bus,
      log,
    };
    tx.aroundGroup((units) => ctx.audit.batch(units)); // one head record write per group commit, not per unit
    bus.subscribe((e) => {
      if (e.type === 'audit') checkpoints.noteAppend(e.id);
    });
    const auditTamper = checkTrailAtStart(db, trail, ctx.audit, tx, opts.person, log);
    checkpoints.write(auditTamper !== undefined);
    const flushRefusals = () => {
      const rows = refusals.drain();
      if (rows.length > 0) tx.transact(() => ctx.audit.appendAll(rows)); // one head record write for all of them
    };
    const onRewind = (r: { from: number; to: number; reason: string }) =>
      tx.transact(() => ctx.audit.append({ type: 'audit.export_rewound', outcome: 'ok', person: opts.person, detail: r }));
    const exporter = opts.auditExport
      ? startError(AuditExportConfigError, () =>
          auditExporter(db, opts.auditExport!, { log, serviceName: 'mandate', hostName: hostname(), person: opts.person, clock, onRewind }),
        )
      : undefined;
    const { app, services } = createApp(ctx, () => port, { ...DEFAULT_MCP_CLIENT_OPTIONS, ...opts.mcpClients });
    handler = app.fetch;

    // the CLI's new credential and the first pairing code (with the spent codes pruned) in one commit: one fsync, not three
    const [cliSecret, pairingCode] = tx.transact(() => [services.pairing.rotateCliCredential(), services.pairing.newCode()] as const);
    writePrivate(join(opts.home, CLI_CREDENTIAL_FILE), `${cliSecret}\n`);
    const state: DaemonState = { pid: process.pid, port, issuer, started_at: clock() };
    writePrivate(join(opts.home, DAEMON_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);

    const sweep = () => {
      try {
        services.grants.expireDue();
        services.external.expireDue();
        services.mcp.removeUnused();
        // a lapsed token may still renew while its grant lives, so keep its jti that long
        ctx.tokens.purgeExpired(clock() - limits.maxDelegationSeconds);
        ctx.tx.afterWrite(); // the purge writes outside a transaction
      } catch (e) {
        log(`expiry sweep failed: ${(e as Error).message}`);
      }
    };
    sweep();
    const timer = setInterval(sweep, opts.sweepIntervalMs ?? 5000);
    timer.unref();
    const refusalTimer = setInterval(
      () => {
        try {
          flushRefusals();
        } catch (e) {
          log(`could not write the refusal counts: ${(e as Error).message}`);
        }
      },
      (opts.refusalFlushSeconds ?? 60) * 1000,
    );
    refusalTimer.unref();
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
      auditTamper,
      flushRefusals,
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        clearInterval(refusalTimer);
        await exporter?.stop(); // aborts a request in flight; its events stay queued for the next start
        srv.closeAllConnections();
        await new Promise<void>((resolve) => srv.close(() => resolve()));
        if (readDaemonState(opts.home)?.pid === process.pid) rmSync(join(opts.home, DAEMON_STATE_FILE), { force: true });
        try {
          flushRefusals(); // the counts are never dropped: they are written before the database closes
        } catch (e) {
          log(`could not write the refusal counts: ${(e as Error).message}`);
        }
        await checkpoints.settled(); // a write behind in flight finishes (or stands down) before the last one
        checkpoints.write();
        db.close();
      },
    };
  } catch (e) {
    server?.close();
    db.close();
    throw e;
  }
}
