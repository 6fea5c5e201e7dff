import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAEMON_STATE_FILE } from './config.js';

/**
 * The running daemon's state file in its data directory (written 0600 by daemon.ts at start, removed at stop):
 * how the CLI finds the port, and how a second daemon sees that the directory is taken. Its own module so the
 * CLI reads it without loading the server.
 */
export interface DaemonState {
  pid: number;
  port: number;
  issuer: string;
  started_at: number;
}

export function readDaemonState(home: string): DaemonState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(home, DAEMON_STATE_FILE), 'utf8')) as DaemonState;
    return typeof state.port === 'number' && typeof state.pid === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}
