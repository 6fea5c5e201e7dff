import type { GrantView } from '#shared/admin-api.js';
import { formatExactDuration, parseDuration } from '#shared/duration.js';
import { UsageError, parse, splitList } from '../args.js';
import { type CliClient, cliClient, resolveTarget } from '../client.js';
import { payeesOf, type DetailsContext } from '#shared/authorization-details/model.js';
import { detailsLines } from '../details.js';
import { isoTime, safe, when } from '../format.js';
import type { CliIo } from '../io.js';

export const REQUESTS_HELP = `mandate pending
mandate approve <auth_req_id | grant id> [--scope <s>...] [--for <duration>]
mandate deny <auth_req_id | grant id> [--reason <text>]

pending lists what agents are waiting for. approve grants all requested scopes for the
requested duration, or only the --scope values you name, for a shorter --for (15m, 2h, 1d).`;

function describePending(g: GrantView, now: number, context: DetailsContext): string {
  return [
    `${g.id}  ${safe(g.agent.name)} (${g.agent.client_id})`,
    `  wants     ${g.requested_scope.join(' ')}`,
    `  on        ${safe(g.resource)}`,
    `  for       ${formatExactDuration(g.requested_duration)}`,
    g.binding_message ? `  task      "${safe(g.binding_message)}"` : undefined,
    g.authorization_details ? `  details   ${detailsLines(g.authorization_details, '            ', context).join('\n')}` : undefined,
    `  asked     ${when(g.created_at, now)}; request expires ${when(g.request_expires_at, now)}`,
  ]
    .filter((l) => l !== undefined)
    .join('\n');
}

/** IBANs that payments the person approved before went to (any status once approved). */
async function seenPayees(client: CliClient): Promise<Set<string>> {
  const { grants } = await client.call('grants.list', { all: 'true' });
  return new Set(grants.filter((g) => g.approved_scope !== null).flatMap((g) => payeesOf(g.authorization_details)));
}

export async function pendingCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {});
  const client = cliClient(resolveTarget(values, io.env));
  const { grants, now } = await client.call('requests.list');
  if (values.json) io.out(`${JSON.stringify(grants)}\n`);
  else if (grants.length === 0) io.out('No pending requests.\n');
  else {
    const context = grants.some((g) => payeesOf(g.authorization_details).length > 0) ? { seenPayees: await seenPayees(client) } : {};
    io.out(`${grants.map((g) => describePending(g, now, context)).join('\n\n')}\n`);
    io.out(`\nApprove with: mandate approve <id> [--scope <s>] [--for 15m]   Deny with: mandate deny <id>\n`);
  }
  return 0;
}

export async function approveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { scope: { type: 'string', multiple: true }, for: { type: 'string' } });
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError('approve needs exactly one id: an auth_req_id or a grant id (see mandate pending)');
  const scope = splitList(values.scope);
  let expiresIn: number | undefined;
  if (values.for !== undefined) {
    expiresIn = parseDuration(values.for);
    if (expiresIn === undefined) throw new UsageError(`--for "${values.for}" is not a duration; write it like 15m, 2h, 1h30m or 1d`);
  }
  const body = { ...(scope.length ? { scope } : {}), ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}) };
  const g = await cliClient(resolveTarget(values, io.env)).call('requests.approve', { id }, body);
  if (values.json) io.out(`${JSON.stringify(g)}\n`);
  else
    io.out(
      `Approved ${g.id}: ${safe(g.agent.name)} may use ${(g.approved_scope ?? []).join(' ')} on ${safe(g.resource)} until ${isoTime(g.expires_at!)} (${formatExactDuration(g.expires_at! - g.decided_at!)}).\n`,
    );
  return 0;
}

export async function denyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { reason: { type: 'string' } });
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError('deny needs exactly one id: an auth_req_id or a grant id (see mandate pending)');
  const g = await cliClient(resolveTarget(values, io.env)).call('requests.deny', { id }, values.reason ? { reason: values.reason } : {});
  if (values.json) io.out(`${JSON.stringify(g)}\n`);
  else io.out(`Denied ${g.id} (${safe(g.agent.name)}).\n`);
  return 0;
}
