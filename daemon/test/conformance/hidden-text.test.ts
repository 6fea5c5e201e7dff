/**
 * Must-reject: the one text policy (shared/src/text.ts) at the daemon's input edge, and "if it cannot be shown, it
 * cannot be approved" for authorization_details (shared/src/authorization-details/limits.ts). Every string a person
 * reads — agent name, binding message, resource, every key and value of authorization_details at any depth — is
 * refused when it carries a hidden, control or direction character, long padding or a mark stack; details past
 * the showable limits are refused. Each row proves that nothing was written.
 */
import { describe, expect, it } from 'vitest';
import { DETAILS_LIMITS } from '#shared/authorization-details/limits.js';
import { MAIL, startTestDaemon } from '../harness.js';
import { auditEvents, dbSnapshot, expectError, pendingRequests, poll, sharedDaemon, titled } from './support.js';

/** One representative of each class the policy covers (the full table is in shared/test/text-policy.test.ts). */
const HIDDEN: [string, string][] = [
  ['newline U+000A', '\n'],
  ['escape U+001B', '\u001b'],
  ['C1 NEL U+0085', '\u0085'],
  ['soft hyphen U+00AD', '\u00ad'],
  ['combining grapheme joiner U+034F', '\u034f'],
  ['Arabic letter mark U+061C', '\u061c'],
  ['Hangul choseong filler U+115F', '\u115f'],
  ['Hangul jungseong filler U+1160', '\u1160'],
  ['Mongolian vowel separator U+180E', '\u180e'],
  ['zero-width space U+200B', '\u200b'],
  ['RLO U+202E', '\u202e'],
  ['word joiner U+2060', '\u2060'],
  ['invisible plus U+2064', '\u2064'],
  ['first-strong isolate U+2068', '\u2068'],
  ['Hangul filler U+3164', '\u3164'],
  ['variation selector U+FE00', '\ufe00'],
  ['BOM U+FEFF', '\ufeff'],
  ['halfwidth Hangul filler U+FFA0', '\uffa0'],
  ['interlinear annotation U+FFF9', '\ufff9'],
  ['tag U+E0041', '\u{e0041}'],
  ['cancel tag U+E007F', '\u{e007f}'],
  ['variation selector supplement U+E0100', '\u{e0100}'],
  ['private use U+E000', '\ue000'],
  ['Braille blank U+2800', '\u2800'],
  ['40 spaces', ' '.repeat(40)],
  ['5 combining marks', '\u0301\u0302\u0303\u0304\u0305'],
];

const payment = (creditorName: string) => [
  { type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '9999.00' }, creditorName, creditorAccount: { iban: 'DE02120300000000202051' } },
];

describe('hidden characters are refused wherever a person reads them', () => {
  const world = sharedDaemon(async (d) => ({ d, agent: await d.registerAgent() }));

  async function bcAuthorize(extra: Record<string, string>) {
    const { d, agent } = world();
    return d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL, ...extra }, { id: agent.client_id, secret: agent.client_secret });
  }
  async function unchanged(act: () => Promise<void>) {
    const before = dbSnapshot(world().d);
    await act();
    expect(dbSnapshot(world().d), 'a refusal writes nothing').toBe(before);
  }

  it.each(titled(HIDDEN, ([name]) => `binding_message with ${name} → 400 invalid_binding_message`))('%s', async (_, [, ch]) => {
    await unchanged(
      async () => void (await expectError(await bcAuthorize({ binding_message: `Pay the${ch}electricity bill` }), 400, 'invalid_binding_message')),
    );
  });

  it.each(titled(HIDDEN, ([name]) => `agent name with ${name} → 400 invalid_request`))('%s', async (_, [, ch]) => {
    await unchanged(async () => {
      const res = await world().d.admin('POST', '/agents', { name: `Bank${ch}helper`, scopes: ['mail.read'], resources: [MAIL] });
      await expectError(res, 400, 'invalid_request');
    });
  });

  it.each(titled(HIDDEN, ([name]) => `authorization_details value with ${name} → 400 invalid_authorization_details`))('%s', async (_, [, ch]) => {
    await unchanged(async () => {
      const res = await bcAuthorize({ authorization_details: JSON.stringify(payment(`Electricity${ch}Co`)) });
      await expectError(res, 400, 'invalid_authorization_details');
    });
  });

  it.each(titled(HIDDEN, ([name]) => `authorization_details key three levels down with ${name} → 400 invalid_authorization_details`))(
    '%s',
    async (_, [, ch]) => {
      await unchanged(async () => {
        const res = await bcAuthorize({ authorization_details: JSON.stringify([{ type: 'x-bank', a: { b: { [`k${ch}`]: 'v' } } }]) });
        await expectError(res, 400, 'invalid_authorization_details');
      });
    },
  );

  it.each(titled(HIDDEN, ([name]) => `authorization_details type with ${name} → 400 invalid_authorization_details`))('%s', async (_, [, ch]) => {
    await unchanged(
      async () =>
        void (await expectError(
          await bcAuthorize({ authorization_details: JSON.stringify([{ type: `payment${ch}initiation` }]) }),
          400,
          'invalid_authorization_details',
        )),
    );
  });

  it('resource with RLO → 400 invalid_target', async () => {
    await unchanged(async () => void (await expectError(await bcAuthorize({ resource: `${MAIL}\u202eevil` }), 400, 'invalid_target')));
  });

  const { maxEntries, maxFieldsPerEntry, maxStringLength, maxDepth } = DETAILS_LIMITS;
  const BEYOND: [string, unknown][] = [
    [`${maxEntries + 1} entries`, Array.from({ length: maxEntries + 1 }, () => ({ type: 'x' }))],
    [`${maxFieldsPerEntry + 1} values in one entry`, [{ type: 'x', v: Array.from({ length: maxFieldsPerEntry }, (_, i) => String(i)) }]],
    [`a value of ${maxStringLength + 1} characters`, [{ type: 'x', v: 'y'.repeat(maxStringLength + 1) }]],
    [`a key of ${maxStringLength + 1} characters`, [{ type: 'x', ['k'.repeat(maxStringLength + 1)]: 1 }]],
    [`nesting ${maxDepth + 1} levels deep`, [{ type: 'x', a: { b: { c: { d: { e: 1 } } } } }]],
  ];
  it.each(titled(BEYOND, ([name]) => `authorization_details with ${name} (past what can be shown) → 400 invalid_authorization_details`))(
    '%s',
    async (_, [, details]) => {
      await unchanged(
        async () => void (await expectError(await bcAuthorize({ authorization_details: JSON.stringify(details) }), 400, 'invalid_authorization_details')),
      );
    },
  );

  it('details exactly at the limits, with emoji and accents, are accepted', async () => {
    const res = await bcAuthorize({
      binding_message: 'Pay the électricité bill ✔️',
      authorization_details: JSON.stringify([
        ...payment('Électricité de France ⚡'),
        ...Array.from({ length: maxEntries - 1 }, () => ({ type: 'x', a: { b: { c: 'y'.repeat(maxStringLength) } } })),
      ]),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe('a stored request whose details cannot be shown cannot be approved', () => {
  it('approve of a record written before the policy (RLO in the payee) → 400 invalid_authorization_details; no token', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent, { scope: 'mail.read', authorization_details: JSON.stringify(payment('Electricity Co')) });
    d.ctx.db.prepare('UPDATE grants SET authorization_details = ?').run(JSON.stringify(payment('Electricity Co\u202e 00.999,9')));
    await expectError(await d.admin('POST', `/requests/${authReqId}/approve`, {}), 400, 'invalid_authorization_details');
    await expectError(await poll(d, agent, authReqId), 400, 'authorization_pending');
    expect((await pendingRequests(d)).length).toBe(1);
    expect(await auditEvents(d, { type: 'grant.approved', outcome: 'refused' })).toHaveLength(1);
    expect((await d.admin('POST', `/requests/${authReqId}/deny`, {})).status).toBe(200);
  });
});
