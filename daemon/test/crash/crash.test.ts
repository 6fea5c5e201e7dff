/**
 * CI slice of the crash-consistency run (`npm run crash -- --cycles 1000` is the full one): the real daemon
 * binary SIGKILLed during traffic, restarted and checked, with torn-WAL cycles; plus proof that the checks fail
 * when the store really does lose an acknowledged revocation.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE } from '../../src/config.js';
import { reachable, runCrashCycles } from './cycles.js';

describe('crash consistency (kill -9 and torn WAL)', () => {
  it('lets a torn WAL move a checkpointed grant forward (a kept commit), never back', () => {
    expect(reachable('pending', 'approved')).toBe(true);
    expect(reachable('pending', 'revoked')).toBe(true);
    expect(reachable('approved', 'ended')).toBe(true);
    expect(reachable('approved', 'pending')).toBe(false);
    expect(reachable('revoked', 'approved')).toBe(false);
    expect(reachable('denied', 'approved')).toBe(false);
  });

  it('keeps everything acknowledged across 8 kills, 2 of them with a torn WAL', { timeout: 180_000 }, async () => {
    const stats = await runCrashCycles({ cycles: 8, seed: 20261129, tornEvery: 4 });
    expect(stats.failures).toEqual([]);
    expect(stats.torn).toBe(2);
    expect(stats.acknowledged.approvals).toBeGreaterThan(0);
    expect(stats.checked.grants).toBeGreaterThan(0);
  });

  it('notices when a revoked grant comes back and acknowledged audit rows vanish (the check can fail)', { timeout: 120_000 }, async () => {
    const stats = await runCrashCycles({
      cycles: 2,
      seed: 7,
      tornEvery: 0,
      minTrafficMs: 1500,
      afterKill: (home) => {
        // what a store without durable revocations would do: the revocation and the newest audit rows are gone
        const db = new Database(join(home, DB_FILE));
        try {
          db.exec("UPDATE grants SET status = 'approved' WHERE status = 'revoked'");
          db.exec('DELETE FROM audit WHERE id > (SELECT max(id) - 5 FROM audit)');
        } finally {
          db.close();
        }
      },
    });
    expect(stats.acknowledged.approvals).toBeGreaterThan(0);
    expect(stats.failures.join('\n')).toMatch(/was revoked \(acknowledged\) but is approved|exported audit row \d+ changed or vanished|does not verify/);
  });
});
