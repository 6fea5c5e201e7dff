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
