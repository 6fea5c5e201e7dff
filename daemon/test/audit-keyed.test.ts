/**
 * The keyed audit chain around the data directory: the key lives outside it, the start-up check speaks up and
 * records what it found while revocation keeps working, and a trail written before the chain was keyed stays
 * verifiable as a legacy prefix.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditVerifyResult } from '#shared/admin-api.js';
import { AUDIT_KEY_FILE } from '../src/audit/key.js';
import { CHECKPOINT_EVERY } from '../src/audit/trail.js';
import { runCli } from '../src/cli/index.js';
import { auditedDaemon, auditRows, keyDirOf, recomputeUnkeyedChain, tamper, verifyOffline } from './audit-tamper-support.js';
import { startTestDaemon, type TestDaemon } from './harness.js';

async function verify(d: TestDaemon) {
  return auditVerifyResult.parse(await (await d.admin('GET', '/audit/verify')).json());
}

async function cliVerify(d: TestDaemon) {
  let out = '';
  const code = await runCli(['audit', 'verify', '--home', d.home, '--port', String(d.port)], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      out += t;
    },
    env: {},
    stopSignal: new Promise(() => {}),
  });
  return { code, out };
}

describe('audit key outside the data directory', () => {
  it('is a 0600 file of 32 random bytes in a 0700 directory that is not under the data directory', async () => {
    const d = await startTestDaemon();
    const dir = keyDirOf(d);
    expect(dir.startsWith(d.home)).toBe(false);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, AUDIT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(join(dir, AUDIT_KEY_FILE), 'utf8').trim(), 'base64url')).toHaveLength(32);
  });

  it('keeps the signed checkpoint at most CHECKPOINT_EVERY rows behind while running', async () => {
    const d = await startTestDaemon();
    for (let i = 0; i < CHECKPOINT_EVERY + 5; i++) await d.registerAgent({ name: `Agent ${i}` });
    const last = auditRows(d).at(-1)!.id;
    const onFile = () => (JSON.parse(readFileSync(join(keyDirOf(d), 'audit.head'), 'utf8')) as { last_id: number }).last_id;
    // written behind the event loop: it catches up within moments, never more than CHECKPOINT_EVERY behind after that
    await expect.poll(() => last - onFile()).toBeLessThan(CHECKPOINT_EVERY);
    expect(onFile()).toBeGreaterThan(0);
  });
});

describe('start-up check', () => {
  it('says so loudly, records audit.tamper_detected, keeps reporting broken, and keeps revocation working', async () => {
    const logs: string[] = [];
    const d = await auditedDaemon({ log: (m) => void logs.push(m) });
    const rows = auditRows(d).length;
    tamper(d, `DELETE FROM audit WHERE id > ${rows - 2}`);
    const d2 = await d.restart();
    expect(d2.auditTamper).toBe(`truncated: the head record says the trail ends at row ${rows}, the database ends at row ${rows - 2}`);
    expect(logs.join('\n')).toContain('WARNING: THE AUDIT TRAIL WAS TAMPERED WITH');
    const tamperRow = auditRows(d2).find((r) => r.type === 'audit.tamper_detected');
    expect(tamperRow).toMatchObject({ id: rows - 1, outcome: 'refused' });
    expect(JSON.parse(tamperRow!.detail!)).toMatchObject({ last_id_found: rows - 2, reason: d2.auditTamper });

    const r = await verify(d2);
    expect(r).toMatchObject({ ok: false, first_broken: { id: rows - 1, reason: expect.stringContaining(`database ends at row ${rows - 2}`) } });
    const cli = await cliVerify(d2);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain(`Audit chain BROKEN at row ${rows - 1}`);

    // revocation still works on the tampered trail
    const agent = await d2.registerAgent({ name: 'After' });
    const { grantId } = await d2.approvedToken(agent);
    expect((await d2.admin('POST', `/grants/${grantId}/revoke`, {})).status).toBe(200);
    // and the trail stays reported broken across restarts
    await d2.close();
    const d3 = await d2.restart();
    expect(d3.auditTamper).toBeUndefined();
    expect((await verify(d3)).first_broken?.id).toBe(rows - 1);
  });

  it('reports a key that went missing', async () => {
    const d = await auditedDaemon();
    rmSync(join(keyDirOf(d), AUDIT_KEY_FILE));
    const d2 = await d.restart();
    expect(d2.auditTamper).toMatch(/audit key was missing/);
    expect((await verify(d2)).ok).toBe(false);
  });

  it('an untouched trail starts quietly and verifies', async () => {
    const logs: string[] = [];
    const d = await auditedDaemon({ log: (m) => void logs.push(m) });
    const d2 = await d.restart();
    expect(d2.auditTamper).toBeUndefined();
    expect(logs.join('\n')).not.toContain('TAMPERED');
    expect(await verify(d2)).toMatchObject({ ok: true, first_broken: null });
    expect((await cliVerify(d2)).code).toBe(0);
  });
});

describe('a trail written before the chain was keyed', () => {
  /** Turns the stopped daemon's trail into what an older Mandate left: unkeyed chain, no head record, no key. */
  function makeLegacy(d: { home: string }): number {
    recomputeUnkeyedChain(d);
    tamper(d, 'DELETE FROM audit_head');
    rmSync(keyDirOf(d), { recursive: true, force: true });
    return auditRows(d).length;
  }

  it('is sealed as a legacy prefix by an audit.keyed row and verifies', async () => {
    const d = await auditedDaemon();
    const legacy = makeLegacy(d);
    const d2 = await d.restart();
    expect(d2.auditTamper).toBeUndefined();
    const keyed = auditRows(d2)[legacy]!;
    expect(keyed).toMatchObject({ id: legacy + 1, type: 'audit.keyed' });
    expect(JSON.parse(keyed.detail!)).toMatchObject({ legacy_rows: legacy, legacy_intact: true });
    expect(await verify(d2)).toMatchObject({ ok: true });
  });

  it('an edit inside the legacy prefix after sealing is still found', async () => {
    const d = await auditedDaemon();
    const legacy = makeLegacy(d);
    await (await d.restart()).close();
    tamper(d, "UPDATE audit SET person = 'mallory' WHERE id = 2");
    expect(verifyOffline(d)).toMatchObject({ ok: false, first_broken: { id: 2, reason: expect.stringContaining('edited') } });
    // and a recomputed legacy prefix no longer links to the first keyed row
    tamper(d, `DELETE FROM audit WHERE type = 'grant.revoked' AND id <= ${legacy}`);
    recomputeUnkeyedChain(d);
    expect(verifyOffline(d).ok).toBe(false);
  });
});
