/** Where a command writes; the real process streams in `mandate`, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); only `mandate daemon` waits on it. */
  stopSignal: Promise<string>;
  /**
   * Called once by `mandate daemon` when it is serving, before it changes V8's flags: bin/mandate.js makes its code
   * cache then (code-cache.ts). Absent in tests.
   */
  ready?: () => void;
}
