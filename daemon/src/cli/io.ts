/** Where a command writes; the real process streams in `mandate`, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); only `mandate daemon` waits on it. */
  stopSignal: Promise<string>;
}
