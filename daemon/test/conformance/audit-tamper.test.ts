/**
 * Must-reject catalog for the audit trail (docs/security.md, "What `mandate audit verify` proves"): each row is
 * an attack by someone who can write the data directory but not the key directory. `audit verify` must name the
 * exact row and what was expected, both offline (the chain itself) and through the restarted daemon (whose
 * start-up check also records `audit.tamper_detected`).
 */
import { describe, expect, it } from 'vitest';
import { auditVerifyResult } from '#shared/admin-api.js';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE } from '../../src/audit/checkpoint.js';
import { auditedDaemon, auditRows, keyDirOf, recomputeUnkeyedChain, tamper, verifyOffline } from '../audit-tamper-support.js';
import { titled } from './support.js';

interface Attack {
  name: string;
  /** Applied to the stopped daemon's files; gets the number of rows before the attack. */
  apply(d: { home: string }, rows: number): void;
  /** What verify must say: the first broken row (from the row count before the attack) and words of the reason. */
  expect(rows: number): { id: number; reason: RegExp };
  /** The cheap start-up check (head record and checkpoint against the last row) sees it too. */
  seenAtStart: boolean;
}

const attacks: Attack[] = [
  {
    name: 'delete every grant.revoked row and recompute the unkeyed chain',
    apply: (d) => {
      tamper(d, "DELETE FROM audit WHERE type = 'grant.revoked'");
      recomputeUnkeyedChain(d);
    },
    expect: () => ({ id: 1, reason: /recomputed without the audit key/ }),
    seenAtStart: true,
  },
  {
    name: 'recompute the chain and mark all of it as the legacy (unkeyed) prefix',
    apply: (d, rows) => {
      tamper(d, "DELETE FROM audit WHERE type = 'grant.revoked'");
      recomputeUnkeyedChain(d);
      tamper(
        d,
        `UPDATE audit_head SET legacy_rows = ${rows}, last_id = ${rows - 1}, count = ${rows - 1}, last_mac = (SELECT hash FROM audit ORDER BY id DESC LIMIT 1)`,
      );
    },
    expect: (rows) => ({ id: rows - 1, reason: /head record .* valid MAC/ }),
    seenAtStart: true,
  },
  {
    name: 'recompute the chain and delete the head record',
    apply: (d) => {
      tamper(d, "DELETE FROM audit WHERE type = 'grant.revoked'", 'DELETE FROM audit_head');
      recomputeUnkeyedChain(d);
    },
    expect: () => ({ id: 1, reason: /recomputed without the audit key/ }),
    seenAtStart: true,
  },
  {
    name: 'truncate the last two rows',
    apply: (d, rows) => tamper(d, `DELETE FROM audit WHERE id > ${rows - 2}`),
    expect: (rows) => ({
      id: rows - 1,
      reason: new RegExp(`truncated: the head record says the trail ends at row ${rows} .* database ends at row ${rows - 2}`),
    }),
    seenAtStart: true,
  },
  {
    name: 'truncate the last two rows and delete the head record',
    apply: (d, rows) => tamper(d, `DELETE FROM audit WHERE id > ${rows - 2}`, 'DELETE FROM audit_head'),
    expect: (rows) => ({ id: rows - 1, reason: /head record is missing/ }),
    seenAtStart: true,
  },
  {
    name: 'delete every row',
    apply: (d) => tamper(d, 'DELETE FROM audit'),
    expect: () => ({ id: 1, reason: /truncated/ }),
    seenAtStart: true,
  },
  {
    name: 'edit a keyed row in place',
    apply: (d) => tamper(d, "UPDATE audit SET scopes = 'mail.read mail.send' WHERE id = 4"),
    expect: () => ({ id: 4, reason: /does not match its MAC/ }),
    seenAtStart: false,
  },
  {
    name: 'swap two rows',
    apply: (d) => tamper(d, 'UPDATE audit SET id = 100 WHERE id = 2', 'UPDATE audit SET id = 2 WHERE id = 3', 'UPDATE audit SET id = 3 WHERE id = 100'),
    expect: () => ({ id: 2, reason: /prev_hash/ }),
    seenAtStart: false,
  },
];

describe('must-reject: tampered audit trail', () => {
  it.each(titled(attacks, (a) => a.name))('%s: verify names the row offline', async (_t, attack) => {
    const d = await auditedDaemon();
    const rows = auditRows(d).length;
    attack.apply(d, rows);
    const want = attack.expect(rows);
    expect(verifyOffline(d)).toMatchObject({ ok: false, first_broken: { id: want.id, reason: expect.stringMatching(want.reason) } });
  });

  it.each(titled(attacks, (a) => a.name))('%s: the restarted daemon reports the trail broken', async (_t, attack) => {
    const d = await auditedDaemon();
    attack.apply(d, auditRows(d).length);
    const d2 = await d.restart();
    const r = auditVerifyResult.parse(await (await d2.admin('GET', '/audit/verify')).json());
    expect(r.ok).toBe(false);
    if (attack.seenAtStart) expect(d2.auditTamper).toEqual(expect.any(String));
    else expect(d2.auditTamper).toBeUndefined();
  });

  it('a head record rolled back to an older genuine copy is caught by the signed checkpoint outside the database', async () => {
    const d = await auditedDaemon();
    const before = auditRows(d).length;
    tamper(d, 'CREATE TABLE saved_head AS SELECT * FROM audit_head');
    const d2 = await d.restart(); // writes more rows (the new pairing code) and a checkpoint at close
    await d2.close();
    const after = auditRows(d).length;
    expect(after).toBeGreaterThan(before);
    tamper(d, `DELETE FROM audit WHERE id > ${before}`, 'DELETE FROM audit_head', 'INSERT INTO audit_head SELECT * FROM saved_head', 'DROP TABLE saved_head');
    expect(verifyOffline(d)).toMatchObject({
      ok: false,
      first_broken: {
        id: before + 1,
        reason: expect.stringMatching(new RegExp(`signed checkpoint .* reached row ${after} .*, but the database ends at row ${before}`)),
      },
    });
  });

  it('an edited checkpoint file is refused', async () => {
    const d = await auditedDaemon();
    const file = join(keyDirOf(d), CHECKPOINT_FILE);
    const cp = JSON.parse(readFileSync(file, 'utf8')) as { last_id: number };
    writeFileSync(file, JSON.stringify({ ...cp, last_id: cp.last_id - 1 }));
    const d2 = await d.restart();
    expect(d2.auditTamper).toMatch(/checkpoint .* not valid/);
  });
});
