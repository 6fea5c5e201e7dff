/** Smoke test of bench/reporting.ts at tiny sizes: both resource servers start, every row prints (not its target). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const tiny = {
  BENCH_RS_CONNECTIONS: '2',
  BENCH_RS_CALLS: '40',
  BENCH_RS_ROUNDS: '2',
  BENCH_RS_WARMUP: '20',
  BENCH_INGEST_CALLS: '600',
  BENCH_DIRECT_CALLS: '1000',
  BENCH_INGEST_ROUNDS: '1',
  BENCH_INGEST_PAIRS: '2',
  BENCH_BASELINE_BIN: 'bin/mandate.js', // the same build as its own baseline: only checks that the row prints
};

it('bench/reporting.ts prints every row', { timeout: 180_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=mandate-source', '--import', 'tsx', 'bench/reporting.ts'], {
    env: { ...process.env, ...tiny },
    timeout: 170_000,
  });
  for (const row of [
    /^tool calls over HTTP \(Node v[\d.]+\): .* 2 paired rounds × 40 calls each side at once, 2 connections each, after 20 warm-up$/m,
    /^ {2}reporting off +\d+ calls\/s +\d+\.\d µs CPU per call/m,
    /^ {2}reporting on +\d+ calls\/s +\d+\.\d µs CPU per call/m,
    /^ {2}reporting overhead +-?\d+\.\d % CPU per call \(target <= 5%\) (ok|FAIL); middle half -?\d+\.\d % – -?\d+\.\d %; -?\d+\.\d % calls\/s$/m,
    /^ {2}reporter's own CPU +\d+\.\d µs per call in batches of \d+ \(as sent at this call rate\) = \d+\.\d % (ok|FAIL); \d+\.\d µs in full batches of 500 = \d+\.\d % (ok|FAIL) of a served call \(\d+\.\d µs, reporting off; target <= 5%\)$/m,
    /^ {2}daemon ingest +\d+ acks\/s capacity \(600 queued reports flushed\) for \d+ calls\/s: (keeps up|falls behind: the queue grows); \d+ reports unacknowledged at a window's end, drained in \d+ ms$/m,
    /^ {2}daemon CPU per call +(\d+ µs|n\/a) while flushing the backlog, (\d+ µs|n\/a) during the windows$/m,
    /^ {2}ingest vs baseline +\d+ acks\/s, (\d+ µs|n\/a) CPU per ack; baseline build \d+ acks\/s, (\d+ µs|n\/a) \(median of 2 alternating daemons each\)$/m,
  ]) {
    expect(stdout).toMatch(row);
  }
});
