import { UsageError, parse, splitList } from '../args.js';
import { cliClient, resolveTarget } from '../client.js';
import { isoTime, safe, table } from '../format.js';
import type { CliIo } from '../io.js';

export const AGENTS_HELP = `mandate agents add <name> --scope <s>... --resource <url>... [--resource-server]
mandate agents list
mandate agents remove <client id>

Registers each agent as its own OAuth client with a ceiling: the scopes and resources it may
ever ask for. The client secret is printed once. With --resource-server, registers a resource
server instead: it may introspect tokens addressed to its --resource URLs.`;

export async function agentsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    scope: { type: 'string', multiple: true },
    resource: { type: 'string', multiple: true },
    'resource-server': { type: 'boolean' },
  });
  const [verb, ...rest] = positionals;
  const client = cliClient(resolveTarget(values, io.env));
  switch (verb) {
    case 'add': {
      const name = rest.join(' ').trim();
      if (!name) throw new UsageError('agents add needs a name, e.g. mandate agents add "Mail helper" --scope mail.read --resource https://mail.example/');
      const kind = values['resource-server'] ? 'resource_server' : 'agent';
      const scopes = splitList(values.scope);
      const resources = splitList(values.resource);
      if (resources.length === 0) throw new UsageError('give at least one --resource <url>');
      if (kind === 'agent' && scopes.length === 0) throw new UsageError("give at least one --scope for the agent's ceiling");
      const created = await client.call('agents.create', { name, kind, scopes, resources });
      if (values.json) io.out(`${JSON.stringify(created)}\n`);
      else {
        io.out(
          `${[
            `Registered ${kind === 'agent' ? 'agent' : 'resource server'} "${safe(created.name)}"`,
            `  client_id      ${created.client_id}`,
            `  client_secret  ${created.client_secret}`,
            kind === 'agent' ? `  scopes         ${created.scopes.join(' ')}` : undefined,
            `  resources      ${created.resources.join(' ')}`,
            '',
            'The secret is shown only this once; Mandate keeps only its hash. Give both to the agent.',
          ]
            .filter((l) => l !== undefined)
            .join('\n')}\n`,
        );
      }
      return 0;
    }
    case 'list':
    case undefined: {
      const { agents } = await client.call('agents.list');
      if (values.json) io.out(`${JSON.stringify(agents)}\n`);
      else if (agents.length === 0) io.out('No agents registered. Add one with: mandate agents add <name> --scope <s> --resource <url>\n');
      else
        io.out(
          `${table(
            ['CLIENT ID', 'KIND', 'NAME', 'SCOPES', 'RESOURCES', 'REGISTERED'],
            agents.map((a) => [
              a.client_id,
              a.kind === 'agent' ? 'agent' : 'resource server',
              safe(a.name),
              a.scopes.join(' ') || '-',
              a.resources.join(' '),
              isoTime(a.created_at),
            ]),
          )}\n`,
        );
      return 0;
    }
    case 'remove': {
      const id = rest[0];
      if (!id) throw new UsageError('agents remove needs a client id (see mandate agents list)');
      const res = await client.call('agents.remove', { id });
      if (values.json) io.out(`${JSON.stringify(res)}\n`);
      else io.out(`Removed ${id}${res.revoked.length ? `; revoked ${res.revoked.length} live grant(s)` : ''}.\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown agents command "${verb}"; use add, list or remove`);
  }
}
