import { MandateError } from '#shared/errors.js';
import { AGENTS_HELP, agentsCommand } from './commands/agents.js';
import { AUDIT_HELP, auditCommand } from './commands/audit.js';
import { DAEMON_HELP, daemonCommand } from './commands/daemon.js';
import { GRANTS_HELP, grantsCommand, revokeCommand } from './commands/grants.js';
import { PAIR_HELP, pairCommand } from './commands/pair.js';
import { REQUESTS_HELP, approveCommand, denyCommand, pendingCommand } from './commands/requests.js';
import { STATUS_HELP, statusCommand } from './commands/status.js';
import type { CliIo } from './io.js';

type Command = { run: (args: string[], io: CliIo) => Promise<number>; help: string };

const COMMANDS: Record<string, Command> = {
  daemon: { run: daemonCommand, help: DAEMON_HELP },
  status: { run: statusCommand, help: STATUS_HELP },
  pair: { run: pairCommand, help: PAIR_HELP },
  agents: { run: agentsCommand, help: AGENTS_HELP },
  pending: { run: pendingCommand, help: REQUESTS_HELP },
  approve: { run: approveCommand, help: REQUESTS_HELP },
  deny: { run: denyCommand, help: REQUESTS_HELP },
  grants: { run: grantsCommand, help: GRANTS_HELP },
  revoke: { run: revokeCommand, help: GRANTS_HELP },
  audit: { run: auditCommand, help: AUDIT_HELP },
};

export const USAGE = `Usage: mandate <command> [options]

Commands:
  daemon                 start the local daemon (same as npm start)
  status                 is the daemon running, and where
  pair                   new one-time pairing code for the browser extension
  agents add|list|remove register agents and resource servers as OAuth clients
  pending                requests waiting for your decision
  approve <id>           approve, optionally fewer --scope and a shorter --for
  deny <id>              deny a request
  grants [--all]         live delegations (and past ones)
  revoke <id> | --all    end delegations at once
  audit [verify]         the audit trail, or check its hash chain

Options for every command: --home <dir> (MANDATE_HOME), --port <n> (MANDATE_PORT), --json, --help.
Run mandate <command> --help for details.`;

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failed, 2 usage). Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    const { version } = await import('../version.js');
    io.out(`mandate ${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`mandate: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    return reportError(name, command.help, e, io);
  }
}

/**
 * By class, not by a list: a MandateError is shown with its public message and exits with its code (usage
 * mistakes with the help, exit 2); anything else is a bug, said plainly with the detail to report.
 */
export function reportError(name: string, help: string, e: unknown, io: CliIo): number {
  if (e instanceof MandateError) {
    io.err(e.code === 'usage' ? `mandate ${name}: ${e.message}\n\n${help}\n` : `mandate ${name}: ${e.message}\n`);
    return e.exitCode;
  }
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  io.err(`mandate ${name}: unexpected error — please report it with this detail:\n${detail}\n`);
  return 1;
}
