/**
 * Issue 8 §3 in real Chromium: the person sees everything they approve. A CIBA request carrying RFC 9396
 * payment_initiation shows amount, currency, payee and IBAN in plain words on the popup card before Approve; the
 * token carries exactly those details; the Activity page repeats them. A record the model cannot show in full
 * (written before the daemon refused such input) cannot be approved, and its hidden characters show as markers.
 */
import { tokenResponse } from '#shared/oauth.js';
import { READ, expect, pairThroughOptions, test, tokenOnceDecided } from './fixtures.js';

const PAYMENT = [
  {
    type: 'payment_initiation',
    instructedAmount: { currency: 'EUR', amount: '9999.00' },
    creditorName: 'Unknown Ltd',
    creditorAccount: { iban: 'DE02120300000000202051' },
    remittanceInformationUnstructured: 'Invoice 2026-11',
  },
];

test('a payment in authorization_details is shown in plain words before Approve, and the token carries it', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  const agent = await daemon.registerAgent('Bill payer', [READ]);
  const authReqId = await daemon.request(agent, { scope: READ, binding_message: 'Pay the electricity bill', authorization_details: JSON.stringify(PAYMENT) });

  const page = await popup();
  const card = page.getByRole('listitem').filter({ hasText: 'Bill payer' });
  const details = card.getByRole('region', { name: 'Details of the request' });
  await expect(details).toBeVisible();
  await expect(details.getByText('Payment', { exact: true })).toBeVisible();
  const value = (label: string) => details.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
  await expect(value('Amount')).toHaveText('9,999.00 EUR');
  await expect(value('To account (IBAN)')).toHaveText('DE02 1203 0000 0000 2020 51');
  await expect(details.locator('dt', { hasText: /^To$/ }).locator('xpath=following-sibling::dd[1]')).toHaveText('Unknown Ltd');
  await expect(value('Reference')).toHaveText('Invoice 2026-11');
  await expect(details.getByText('Moves money: check the amount and the payee against the task')).toBeVisible();
  await expect(details.getByText('Payee not seen before: no payment you approved went to this account')).toBeVisible();
  await expect(card.getByText('Admin', { exact: true }).first()).toBeVisible(); // the card's risk is the payment's
  // the details come before the buttons, in reading order
  const order = await card.evaluate((el) => {
    const d = el.querySelector('.auth-details')!;
    const approve = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Approve')!;
    return Boolean(d.compareDocumentPosition(approve) & 4); // DOCUMENT_POSITION_FOLLOWING
  });
  expect(order).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/popup-details.png', fullPage: true });

  const approve = card.getByRole('button', { name: 'Approve' });
  await expect(approve).toBeEnabled();
  await approve.click();
  await expect(page.getByRole('status').filter({ hasText: 'Approved for Bill payer' })).toBeVisible();
  const token = tokenResponse.parse(await (await tokenOnceDecided(daemon, agent, authReqId)).json());
  expect(token.authorization_details).toEqual(PAYMENT);

  const activity = await popup('src/activity/index.html');
  await activity.setViewportSize({ width: 1100, height: 700 });
  await expect(activity.getByRole('cell', { name: 'a payment of 9,999.00 EUR to Unknown Ltd' })).toBeVisible();
  await activity.screenshot({ path: 'test-results/screenshots/activity-details.png' });
});

test('details that cannot be shown in full cannot be approved; hidden characters show as markers', async ({ popup, daemon, options }) => {
  const agent = await daemon.registerAgent('Bill payer', [READ]);
  await daemon.request(agent, { scope: READ, binding_message: 'Pay the electricity bill', authorization_details: JSON.stringify(PAYMENT) });
  // A record from before the daemon refused hidden characters: written straight into the database (through the
  // daemon's own connection: it holds the file exclusively while it runs).
  const db = daemon.daemon.ctx.db;
  db.prepare('UPDATE grants SET authorization_details = ?').run(JSON.stringify([{ ...PAYMENT[0], creditorName: 'Electricity Co\u202e 00.999,9' }]));
  db.prepare('UPDATE clients SET name = ?').run('Bill payer\u2060');
  await pairThroughOptions(options, daemon);

  const page = await popup();
  const card = page.getByRole('listitem').filter({ hasText: 'Bill payer⟨U+2060⟩' });
  await expect(card).toBeVisible();
  await expect(card.getByText('Mandate cannot show these details in full, so they cannot be approved.')).toBeVisible();
  await expect(card.getByText('Electricity Co⟨U+202E⟩ 00.999,9').first()).toBeVisible();
  await expect(card.getByRole('button', { name: 'Approve' })).toBeDisabled();
  await expect(card.getByRole('button', { name: 'Deny' })).toBeEnabled();
  // unticking and ticking a scope must not re-enable it
  await card.getByLabel(READ).uncheck();
  await card.getByLabel(READ).check();
  await expect(card.getByRole('button', { name: 'Approve' })).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/popup-details-refused.png', fullPage: true });
});
