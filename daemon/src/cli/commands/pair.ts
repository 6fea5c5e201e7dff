import { parse } from '../args.js';
import { cliClient, resolveTarget } from '../client.js';
import { isoTime } from '../format.js';
import type { CliIo } from '../io.js';

export const PAIR_HELP = `mandate pair

Prints a new one-time pairing code for the browser extension (valid 10 minutes, one use).`;

export async function pairCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {});
  const res = await cliClient(resolveTarget(values, io.env)).call('pairingCodes.create');
  if (values.json) io.out(`${JSON.stringify(res)}\n`);
  else io.out(`Pairing code: ${res.code}\nType it into the Mandate extension's options page before ${isoTime(res.expires_at)}.\n`);
  return 0;
}
