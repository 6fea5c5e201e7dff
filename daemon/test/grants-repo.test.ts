import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/store/db.js';
import { grantsRepo } from '../src/store/grants.repo.js';
import { databaseWithAgent, decision, pendingGrant } from './repo-fixture.js';

let dir: string;
let db: Database;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The state machine lives in single conditional statements; each transition must refuse the wrong source state. */
function setup() {
  ({ dir, db } = databaseWithAgent());
  const grants = grantsRepo(db);
  grants.insert(pendingGrant('grt_1'));
  return grants;
}

describe('grant state transitions are conditional', () => {
  it('approves only a pending, unexpired request, once', () => {
    const g = setup();
    expect(g.approve('grt_1', 50, ['s'], 150, decision)).toBeUndefined(); // request expired at 50
    expect(g.approve('grt_1', 10, ['s'], 110, decision)?.status).toBe('approved');
    expect(g.approve('grt_1', 11, ['s'], 500, decision)).toBeUndefined();
    expect(g.deny('grt_1', 11, decision)).toBeUndefined();
  });

  it('hands out the first token once, and renews only while live', () => {
    const g = setup();
    g.approve('grt_1', 10, ['s'], 110, decision);
    expect(g.markUsed('grt_1', 20)).toBeUndefined(); // no first token yet
    expect(g.deliverFirstToken('grt_1', 20)?.token_delivered_at).toBe(20);
    expect(g.deliverFirstToken('grt_1', 21)).toBeUndefined();
    expect(g.markUsed('grt_1', 30)?.last_used_at).toBe(30);
    expect(g.markUsed('grt_1', 110)).toBeUndefined(); // expired at 110
  });

  it('never moves a revoked grant back: renew, approve, revoke again and expire all refuse', () => {
    const g = setup();
    g.approve('grt_1', 10, ['s'], 110, decision);
    g.deliverFirstToken('grt_1', 20);
    expect(g.end('grt_1', 30, 'revoked', 'p')?.status).toBe('revoked');
    expect(g.markUsed('grt_1', 31)).toBeUndefined();
    expect(g.approve('grt_1', 31, ['s'], 110, decision)).toBeUndefined();
    expect(g.end('grt_1', 31, 'ended', 'agt_1')).toBeUndefined();
    expect(g.expireDue(500)).toEqual([]);
    expect(g.get('grt_1')?.status).toBe('revoked');
  });

  it('expires overdue pending requests and approved grants only', () => {
    const g = setup();
    expect(g.expireDue(49)).toEqual([]);
    expect(g.expireDue(50).map((x) => [x.id, x.status, x.ended_at])).toEqual([['grt_1', 'expired', 50]]);
  });
});

describe('a state change answers with the record it left behind', () => {
  // Every transition returns its row through RETURNING instead of reading it again: the answer must be exactly
  // what a fresh read gives, the agent's name (from clients) and the parsed scopes and details included.
  it('approve, deliver, renew, end, revoke-all, revoke-for-client and expire each equal a fresh read', () => {
    const g = setup();
    const same = (rec: ReturnType<typeof g.get>) => {
      expect(rec).toBeDefined();
      expect(rec).toEqual(g.get(rec!.id));
      expect(rec!.agent_name).toBe('A');
    };
    same(g.approve('grt_1', 10, ['s'], 110, decision));
    same(g.deliverFirstToken('grt_1', 20));
    same(g.markUsed('grt_1', 30));
    same(g.end('grt_1', 40, 'ended', 'agt_1'));
    const again = (id: string, scope: string[]) => {
      g.insert({ ...pendingGrant(id), requested_scope: scope, authorization_details: [{ type: 'mail', actions: ['read'] }] });
      g.approve(id, 10, scope, 110, decision);
    };
    again('grt_2', ['s']);
    again('grt_3', ['s', 't']);
    const all = g.revokeAll(41, 'p');
    expect(all.map((r) => r.id).sort()).toEqual(['grt_2', 'grt_3']);
    for (const r of all) same(r);
    expect(all.find((r) => r.id === 'grt_3')?.authorization_details).toEqual([{ type: 'mail', actions: ['read'] }]);
    again('grt_4', ['s']);
    g.insert(pendingGrant('grt_5'));
    const forClient = g.revokeForClient('agt_1', 42, 'p');
    expect(forClient.map((r) => [r.id, r.status]).sort()).toEqual([
      ['grt_4', 'revoked'],
      ['grt_5', 'denied'],
    ]);
    for (const r of forClient) same(r);
    again('grt_6', ['s']);
    const expired = g.expireDue(110);
    expect(expired.map((r) => r.id)).toEqual(['grt_6']);
    same(expired[0]);
  });

  it('the introspection check reads only whether the grant is live', () => {
    const g = setup();
    g.approve('grt_1', 10, ['s'], 110, decision);
    db.prepare('INSERT INTO tokens (jti, grant_id, expires_at) VALUES (?, ?, ?)').run('jti_1', 'grt_1', 100);
    expect(g.livenessByTokenJti('jti_1')).toEqual({ id: 'grt_1', status: 'approved', expires_at: 110 });
    expect(g.livenessByTokenJti('jti_2')).toBeUndefined();
    g.end('grt_1', 20, 'revoked', 'p');
    expect(g.livenessByTokenJti('jti_1')?.status).toBe('revoked');
  });
});
