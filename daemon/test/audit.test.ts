import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditVerifyResult } from '#shared/admin-api.js';
import { DB_FILE } from '../src/config.js';
import { startTestDaemon, type TestDaemon } from './harness.js';

/** A daemon with a few audit rows, stopped so the test can tamper with the file like an attacker would. */
async function auditedDaemon(): Promise<TestDaemon> {
  const d = await startTestDaemon();
  const agent = await d.registerAgent();
  const { grantId } = await d.approvedToken(agent, { approve: { scope: ['mail.read'] } });
  await d.admin('POST', `/grants/${grantId}/revoke`, {});
  await d.close();
  return d;
}

async function tamperAndVerify(d: TestDaemon, sql: string[]) {
  const db = new BetterSqlite3(join(d.home, DB_FILE));
  for (const s of sql) db.exec(s);
  db.close();
  const d2 = await d.restart();
  return auditVerifyResult.parse(await (await d2.admin('GET', '/audit/verify')).json());
}

describe('audit hash chain', () => {
  it('writes the head record once per group commit, from the last row that committed, and the chain verifies', async () => {
    const d = await startTestDaemon();
    const { tx, audit, db } = d.ctx;
    const head = () => db.prepare<[], { last_id: number; count: number }>('SELECT last_id, count FROM audit_head WHERE id = 1').get()!;
    const last = () => db.prepare<[], { id: number }>('SELECT id FROM audit ORDER BY id DESC LIMIT 1').get()!.id;
    const writes: number[] = [];
    db.function('mandate_test_head_written', (id: number) => void writes.push(id));
    db.exec('CREATE TEMP TRIGGER head_written AFTER UPDATE ON audit_head BEGIN SELECT mandate_test_head_written(NEW.last_id); END');
    const before = last();
    const row = (jti: string) => audit.append({ type: 'token.issued', outcome: 'ok', detail: { jti, exp: 0, via: 'token-exchange' } });
    // four units in one turn: one commit; the last appends and then fails, so its row is rolled back with it
    const settled = await Promise.allSettled([
      tx.transactGrouped(() => row('a')),
      tx.transactGrouped(() => row('b')),
      tx.transactGrouped(() => row('c')),
      tx.transactGrouped(() => {
        row('d');
        throw new Error('this unit fails after appending');
      }),
    ]);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(last()).toBe(before + 3);
    expect(head()).toMatchObject({ last_id: before + 3, count: before + 3 });
    expect(writes).toEqual([before + 3]); // not once per unit

    // a batch whose only unit fails leaves the head where it was; outside a group commit every append writes it
    await expect(
      tx.transactGrouped(() => {
        row('e');
        throw new Error('so does this one');
      }),
    ).rejects.toThrow('so does this one');
    expect(head().last_id).toBe(before + 3);
    tx.transact(() => row('f'));
    expect(head()).toMatchObject({ last_id: before + 4, count: before + 4 });
    expect(last()).toBe(before + 4);
    expect(auditVerifyResult.parse(await (await d.admin('GET', '/audit/verify?full=true')).json())).toMatchObject({ ok: true, first_broken: null });
  });

  it('verifies an untouched chain', async () => {
    const d = await auditedDaemon();
    expect(await tamperAndVerify(d, [])).toEqual({ ok: true, rows: 7, first_broken: null }); // 6 rows + the restart's pairing code
  });

  it('names the first edited row', async () => {
    const d = await auditedDaemon();
    const r = await tamperAndVerify(d, ["UPDATE audit SET scopes = 'mail.read mail.send' WHERE id = 4"]);
    expect(r).toMatchObject({ ok: false, first_broken: { id: 4, reason: expect.stringContaining('edited') } });
  });

  it('names the row after a deletion', async () => {
    const d = await auditedDaemon();
    const r = await tamperAndVerify(d, ['DELETE FROM audit WHERE id = 2']);
    expect(r).toMatchObject({ ok: false, first_broken: { id: 3 } });
  });

  it('detects a deletion that renumbers the rest and recomputes nothing', async () => {
    const d = await auditedDaemon();
    const r = await tamperAndVerify(d, ['DELETE FROM audit WHERE id = 2', 'UPDATE audit SET id = id - 1 WHERE id > 2']);
    expect(r).toMatchObject({ ok: false, first_broken: { id: 2 } });
  });

  it('detects reordered rows', async () => {
    const d = await auditedDaemon();
    const r = await tamperAndVerify(d, [
      'UPDATE audit SET id = 100 WHERE id = 2',
      'UPDATE audit SET id = 2 WHERE id = 3',
      'UPDATE audit SET id = 3 WHERE id = 100',
    ]);
    expect(r).toMatchObject({ ok: false, first_broken: { id: 2 } });
  });

  it('detects an edited first row (the chain starts at a fixed genesis)', async () => {
    const d = await auditedDaemon();
    const r = await tamperAndVerify(d, ["UPDATE audit SET person = 'mallory' WHERE id = 1"]);
    expect(r).toMatchObject({ ok: false, first_broken: { id: 1 } });
  });

  it('filters by agent, outcome and type', async () => {
    const d = await startTestDaemon();
    const a = await d.registerAgent();
    const b = await d.registerAgent({ name: 'Other' });
    await d.request(a);
    await d.form('/bc-authorize', { scope: 'admin.everything', resource: 'https://mail.example/' }, { id: b.client_id, secret: b.client_secret });
    const get = async (q: string) => ((await (await d.admin('GET', `/audit?${q}`)).json()) as { events: { type: string; agent: string }[] }).events;
    expect((await get(`agent=${a.client_id}`)).map((e) => e.type)).toEqual(['request.created', 'client.registered']);
    expect((await get('outcome=refused')).map((e) => [e.type, e.agent])).toEqual([['request.refused', b.client_id]]);
    expect((await get('type=client.registered&limit=1')).length).toBe(1);
    expect((await d.admin('GET', '/audit?limit=0')).status).toBe(400);
  });
});
