import { DEFAULT_PORT, defaultPerson } from '../../config.js';
import { parse, portOption } from '../args.js';
import { resolveTarget } from '../client.js';
import { isoTime } from '../format.js';
import type { CliIo } from '../io.js';

export const DAEMON_HELP = `mandate daemon [--port <n>] [--home <dir>] [--user <sub>] [--policy <file>] [--key-dir <dir>]

Starts the local Mandate daemon on 127.0.0.1 (port ${DEFAULT_PORT} unless --port or MANDATE_PORT).
Data lives in --home, MANDATE_HOME, or your user data directory. --user names the person
tokens are issued for (default user:<os user>@<host>). --policy (or MANDATE_POLICY) names the
organisation's policy file; otherwise the per-OS location is read if present (docs/enterprise.md).
--key-dir (or MANDATE_KEY_DIR) is where the audit trail's key and checkpoint live, outside the data
directory (default: your user config directory; docs/security.md). Stops cleanly on Ctrl-C.`;

/** How long after the ready line the daemon caps its heap's growth (young-generation.ts, old-generation.ts). */
export const CAP_AFTER_MS = 200;

export async function daemonCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { user: { type: 'string' }, policy: { type: 'string' }, 'key-dir': { type: 'string' } });
  // The server is loaded only here, so every other command starts without it (scripts/bundle-daemon.ts)
  const [{ startDaemon }, { loadPolicy }] = await Promise.all([import('../../daemon.js'), import('../../policy/load.js')]);
  const policy = loadPolicy(values.policy ?? (io.env.MANDATE_POLICY || undefined));
  const target = resolveTarget(values, io.env);
  const started = Date.now();
  const daemon = await startDaemon({
    home: target.home,
    port: portOption(values.port, '--port') ?? portOption(io.env.MANDATE_PORT, 'MANDATE_PORT') ?? DEFAULT_PORT,
    person: values.user ?? defaultPerson(),
    log: (m) => io.err(`[mandate] ${m}\n`),
    policy,
    ...(values['key-dir'] ? { keyDir: values['key-dir'] } : {}),
    ...(policy.policy.auditExport ? { auditExport: policy.policy.auditExport } : {}),
  });
  const lines = [
    `Mandate daemon ready in ${Date.now() - started} ms`,
    `  listening     ${daemon.url}`,
    `  data dir      ${daemon.home}`,
    `  person        ${daemon.person}`,
    policy.policy.auditExport ? `  audit export  ${new URL(policy.policy.auditExport.otlpEndpoint).origin} (OTLP/HTTP logs)` : undefined,
    `  policy        ${policy.path ? `${policy.path} (${Object.keys(policy.policy).join(', ') || 'no keys'})` : 'none (no organisational limits)'}`,
    daemon.auditTamper ? `  AUDIT TRAIL   BROKEN: ${daemon.auditTamper} (mandate audit verify; docs/security.md)` : undefined,
    `  pairing code  ${daemon.pairingCode.code}   (one use, until ${isoTime(daemon.pairingCode.expires_at)}; type it into the extension's options page)`,
    '',
    `Metadata: ${daemon.url}/.well-known/oauth-authorization-server    Stop with Ctrl-C.`,
  ].filter((l) => l !== undefined);
  if (values.json) {
    io.out(`${JSON.stringify({ url: daemon.url, port: daemon.port, home: daemon.home, person: daemon.person, pairing_code: daemon.pairingCode })}\n`);
  } else io.out(`${lines.join('\n')}\n`);
  io.ready?.(); // serving, and V8's flags still as the process started (code-cache.ts)
  // RSS under 100 MB under load without a flag on node's command line, unless the launcher chose a size itself. Set
  // once the first requests had their turn: the caps matter under load, not in a start's first milliseconds, and
  // their module loads two of Node's (perf_hooks, v8), about 2 ms a start would otherwise wait for.
  let capping: Promise<(() => void) | undefined> | undefined;
  const cap = setTimeout(() => {
    capping = import('../../young-generation.js').then((m) => m.capAsTheDaemonDoes(process.execArgv, io.env.NODE_OPTIONS));
  }, CAP_AFTER_MS);
  const signal = await io.stopSignal;
  clearTimeout(cap);
  (await capping)?.();
  io.err(`[mandate] ${signal}: stopping\n`);
  await daemon.close();
  return 0;
}
