/**
 * `audit verify` starts from the last head a verify walked and found intact (a signed file beside the key,
 * audit.verified); `--full` (full=true) walks from genesis. The anchors of the verified prefix (its last row's
 * MAC, every id still there, the checkpoint row) are checked on every run; a broken anchor makes it walk all.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditVerifyResult } from '#shared/admin-api.js';
import { CHECKPOINT_FILE, VERIFIED_FILE } from '../src/audit/checkpoint.js';
import { auditRows, auditedDaemon, keyDirOf, tamper } from './audit-tamper-support.js';
import type { TestDaemon } from './harness.js';
import { runCli } from '../src/cli/index.js';

async function cliVerify(d: TestDaemon, ...flags: string[]) {
  const chunks: string[] = [];
  const write = (t: string) => {
    chunks.push(t);
  };
  const io = { out: write, err: write, env: {}, stopSignal: new Promise<string>(() => {}) };
  const code = await runCli(['audit', 'verify', ...flags, '--home', d.home, '--port', String(d.port)], io);
  return { code, out: chunks.join('') };
}

async function verify(d: TestDaemon, full = false) {
  return auditVerifyResult.parse(await (await d.admin('GET', `/audit/verify${full ? '?full=true' : ''}`)).json());
}

/** A trail verified once (through the restarted daemon), then stopped again. Returns the verified row count. */
async function verifiedOnce(): Promise<{ d: TestDaemon; verifiedRows: number }> {
  const d = await auditedDaemon();
  const d2 = await d.restart();
  const r = await verify(d2);
  expect(r).toEqual({ ok: true, rows: r.rows, first_broken: null }); // first run: from genesis
  await d2.close();
  return { d, verifiedRows: r.rows };
}

describe('audit verify from the last verified head', () => {
  it('walks only the rows after the verified head, and from genesis with full=true', async () => {
    const { d, verifiedRows } = await verifiedOnce();
    const d2 = await d.restart(); // appends rows (pairing code) after the verified head
    const r = await verify(d2);
    expect(r).toMatchObject({ ok: true, verified_from: verifiedRows });
    expect(r.rows).toBeGreaterThan(verifiedRows);
    expect(await verify(d2, true)).toEqual({ ok: true, rows: r.rows, first_broken: null });
  });

  it('names an edited row after the verified head', async () => {
    const { d, verifiedRows } = await verifiedOnce();
    await (await d.restart()).close();
    const id = auditRows(d).length; // the newest row, after the verified head
    expect(id).toBeGreaterThan(verifiedRows);
    tamper(d, `UPDATE audit SET person = 'someone else' WHERE id = ${id}`);
    const d2 = await d.restart();
    expect(await verify(d2)).toMatchObject({ ok: false, first_broken: { id, reason: expect.stringContaining('MAC') } });
  });

  it('a row deleted from the verified prefix makes it walk from genesis and name the gap', async () => {
    const { d } = await verifiedOnce();
    tamper(d, 'DELETE FROM audit WHERE id = 2');
    const d2 = await d.restart();
    expect(await verify(d2)).toMatchObject({ ok: false, first_broken: { id: 3, reason: expect.stringContaining('deleted or renumbered') } });
  });

  it('a rewritten verified head row makes it walk from genesis', async () => {
    const { d, verifiedRows } = await verifiedOnce();
    tamper(d, `UPDATE audit SET hash = '${'a'.repeat(64)}' WHERE id = ${verifiedRows}`);
    const d2 = await d.restart();
    const r = await verify(d2);
    expect(r.ok).toBe(false);
    expect(r.verified_from ?? 0).toBe(0);
  });

  it('an in-place edit inside the verified prefix is found by full=true (the incremental run does not re-MAC those rows)', async () => {
    const { d } = await verifiedOnce();
    tamper(d, "UPDATE audit SET scopes = 'mail.read mail.send' WHERE id = 4");
    const d2 = await d.restart();
    expect(await verify(d2, true)).toMatchObject({ ok: false, first_broken: { id: 4, reason: expect.stringContaining('does not match its MAC') } });
  });

  it('the running checkpoint copied over the verified head is refused (its MAC is domain-separated): full walk', async () => {
    const d = await auditedDaemon();
    copyFileSync(join(keyDirOf(d), CHECKPOINT_FILE), join(keyDirOf(d), VERIFIED_FILE));
    const d2 = await d.restart();
    expect((await verify(d2)).verified_from).toBeUndefined();
  });

  it('mandate audit verify says which rows it walked; --full walks from genesis', async () => {
    const { d } = await verifiedOnce();
    const d2 = await d.restart();
    expect(await cliVerify(d2)).toMatchObject({ code: 0, out: expect.stringMatching(/verified by an earlier run \(mandate audit verify --full/) });
    expect(await cliVerify(d2, '--full')).toMatchObject({ code: 0, out: expect.stringContaining('verified from genesis') });
  });
});
