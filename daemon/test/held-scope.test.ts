/**
 * `held_scope` on pending requests (GET /admin/requests): the requested scopes the same agent already holds for
 * the same resource through live grants, so the popup can mark them "Already granted" and a step-up shows what
 * it adds. Another agent's grants, another resource's, and grants no longer live do not count.
 */
import { afterEach, expect, it } from 'vitest';
import { CAL, MAIL, startTestDaemon, type TestDaemon } from './harness.js';

let d: TestDaemon;
afterEach(() => d?.dispose());

/** Makes the request and returns its pending view (the one not listed before it: requests made in the same second list in id order). */
async function ask(agent: Parameters<TestDaemon['request']>[0], params: Record<string, string>) {
  const before = new Set((await d.api.call('requests.list')).grants.map((g) => g.id));
  await d.request(agent, params);
  const added = (await d.api.call('requests.list')).grants.filter((g) => !before.has(g.id));
  expect(added).toHaveLength(1);
  return added[0]!;
}

it('names the scopes the agent holds for the same resource, and only those', async () => {
  d = await startTestDaemon();
  const agent = await d.registerAgent({ resources: [MAIL, CAL] });
  const other = await d.registerAgent({ name: 'Other helper', resources: [MAIL] });

  const first = await ask(agent, { scope: 'mail.read mail.send' });
  expect(first.held_scope).toEqual([]);
  await d.api.call('requests.deny', { id: first.id }, {});

  const held = await d.approvedToken(agent, { approve: { scope: ['mail.read'] } });
  const stepUp = await ask(agent, { scope: 'mail.read mail.send' });
  expect(stepUp.requested_scope).toEqual(['mail.read', 'mail.send']);
  expect(stepUp.held_scope).toEqual(['mail.read']);

  expect((await ask(agent, { scope: 'mail.read', resource: CAL })).held_scope).toEqual([]);
  expect((await ask(other, { scope: 'mail.read' })).held_scope).toEqual([]);

  await d.api.call('grants.revoke', { id: held.grantId });
  const after = (await d.api.call('requests.list')).grants.find((g) => g.id === stepUp.id)!;
  expect(after.held_scope).toEqual([]);
});
