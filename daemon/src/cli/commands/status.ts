import { parse } from '../args.js';
import { cliClient, resolveTarget } from '../client.js';
import type { CliIo } from '../io.js';

export const STATUS_HELP = `mandate status

Says whether the daemon is running and reachable, and which data dir and person it serves.`;

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {});
  const info = await cliClient(resolveTarget(values, io.env)).call('session');
  if (values.json) io.out(`${JSON.stringify(info)}\n`);
  else io.out(`Mandate daemon ${info.version} is running at ${info.issuer}\n  data dir  ${info.data_dir}\n  person    ${info.person}\n`);
  return 0;
}
