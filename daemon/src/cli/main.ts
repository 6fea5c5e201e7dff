import { runCli } from './index.js';

/**
 * Process entry for `mandate`: real streams, signals, exit code. `hooks.ready` is called once `mandate daemon` is
 * serving (CliIo.ready).
 */
export async function main(argv: string[] = process.argv.slice(2), hooks: { ready?: () => void } = {}): Promise<void> {
  const stopSignal = new Promise<string>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve(sig));
  });
  const code = await runCli(argv, {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    env: process.env,
    stopSignal,
    ...(hooks.ready ? { ready: hooks.ready } : {}),
  });
  process.exitCode = code;
  if (argv[0] === 'daemon') process.exit(code);
}
