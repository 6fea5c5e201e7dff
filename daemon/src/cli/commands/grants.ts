import { UsageError, parse } from '../args.js';
import { cliClient, resolveTarget } from '../client.js';
import { detailsPhrase } from '../details.js';
import { safe, table, when } from '../format.js';
import type { CliIo } from '../io.js';

export const GRANTS_HELP = `mandate grants [--all]
mandate revoke <grant id>
mandate revoke --all

grants lists live delegations (--all: past ones too, newest first). revoke ends one at once:
introspection turns inactive and renewal fails from the moment the command returns.`;

export async function grantsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { all: { type: 'boolean' } });
  const { grants, now } = await cliClient(resolveTarget(values, io.env)).call('grants.list', values.all ? { all: 'true' } : {});
  if (values.json) {
    io.out(`${JSON.stringify(grants)}\n`);
    return 0;
  }
  if (grants.length === 0) {
    io.out(values.all ? 'No grants yet.\n' : 'No live delegations. (mandate grants --all shows past ones.)\n');
    return 0;
  }
  io.out(
    `${table(
      ['GRANT', 'STATUS', 'AGENT', 'RESOURCE', 'SCOPES', 'EXPIRES', 'LAST USED', 'DETAILS'],
      grants.map((g) => [
        g.id,
        g.status,
        safe(g.agent.name),
        safe(g.resource),
        (g.approved_scope ?? g.requested_scope).join(' '),
        g.status === 'approved' ? when(g.expires_at, now) : g.ended_at !== null ? `ended ${when(g.ended_at, now)}` : '-',
        when(g.last_used_at, now),
        detailsPhrase(g.authorization_details),
      ]),
    )}\n`,
  );
  return 0;
}

export async function revokeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { all: { type: 'boolean' } });
  const client = cliClient(resolveTarget(values, io.env));
  if (values.all) {
    if (positionals.length) throw new UsageError('use either revoke <grant id> or revoke --all');
    const res = await client.call('grants.revokeAll');
    if (values.json) io.out(`${JSON.stringify(res)}\n`);
    else io.out(res.revoked.length ? `Revoked ${res.revoked.length} delegation(s): ${res.revoked.join(' ')}\n` : 'Nothing to revoke: no live delegations.\n');
    return 0;
  }
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new UsageError('revoke needs one grant id (see mandate grants), or --all');
  const g = await client.call('grants.revoke', { id });
  if (values.json) io.out(`${JSON.stringify(g)}\n`);
  else io.out(`Revoked ${g.id}: ${safe(g.agent.name)} can no longer use ${(g.approved_scope ?? []).join(' ')} on ${safe(g.resource)}.\n`);
  return 0;
}
