import { daemonInfo } from '../../../../shared/src/admin-api.js';
import { parse } from '../args.js';
import { adminClient, resolveTarget } from '../client.js';
import type { CliIo } from '../io.js';

export const STATUS_HELP = `mandate status

Says whether the daemon is running and reachable, and which data dir and person it serves.`;

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {});
  const info = await adminClient(resolveTarget(values, io.env)).get('/session', daemonInfo);
  if (values.json) io.out(`${JSON.stringify(info)}\n`);
  else io.out(`Mandate daemon ${info.version} is running at ${info.issuer}\n  data dir  ${info.data_dir}\n  person    ${info.person}\n`);
  return 0;
}
