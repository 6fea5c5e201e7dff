import { describe, expect, it } from 'vitest';
import type { GrantView } from '#shared/admin-api.js';
import { requestNotification, requestSummary } from '../src/lib/summary.js';
import { hostOf } from '../src/lib/url.js';
import { countdown } from '../src/ui/time.js';

describe('request summary for notifications', () => {
  it('says who wants how much, where, for how long', () => {
    const g = {
      agent: { client_id: 'agt_1', name: 'Mail helper' },
      requested_scope: ['a', 'b'],
      resource: 'https://gmail.googleapis.com/',
      requested_duration: 7200,
    } as GrantView;
    expect(requestSummary(g)).toBe('Mail helper wants 2 permissions on gmail.googleapis.com for 2 hours');
    expect(requestSummary({ ...g, requested_scope: ['a'], resource: 'urn:x:y', requested_duration: 900 })).toBe(
      'Mail helper wants 1 permission on urn:x:y for 15 minutes',
    );
  });
});

describe('request notification', () => {
  const g = {
    agent: { client_id: 'agt_1', name: 'Bill payer' },
    requested_scope: ['payments'],
    resource: 'https://bank.example/',
    requested_duration: 900,
    binding_message: 'Pay the electricity bill',
    authorization_details: null,
  } as unknown as GrantView;

  it('mentions a payment in brief: amount with currency and payee', () => {
    const details = [
      {
        type: 'payment_initiation',
        instructedAmount: { currency: 'EUR', amount: '9999.00' },
        creditorName: 'Unknown Ltd',
        creditorAccount: { iban: 'DE02120300000000202051' },
      },
    ];
    expect(requestNotification({ ...g, authorization_details: details } as GrantView)).toEqual({
      message: 'Bill payer wants 1 permission on bank.example for 15 minutes, and a payment of 9,999.00 EUR to Unknown Ltd',
      contextMessage: 'Pay the electricity bill',
    });
  });

  it('says details it cannot show are there, and shows hidden characters in names and tasks as markers', () => {
    const n = requestNotification({
      ...g,
      agent: { client_id: 'a', name: 'Bank\u202e' },
      binding_message: 'Pay\u2060 it',
      authorization_details: [{ type: 'x', v: 'a\u3164' }],
    } as GrantView);
    expect(n.message).toBe('Bank⟨U+202E⟩ wants 1 permission on bank.example for 15 minutes, and details Mandate cannot show in full (approval is disabled)');
    expect(n.contextMessage).toBe('Pay⟨U+2060⟩ it');
  });

  it('without details, says what it said before', () => {
    expect(requestNotification(g).message).toBe('Bill payer wants 1 permission on bank.example for 15 minutes');
  });
});

describe('countdown', () => {
  it.each([
    [0, 'expired'],
    [-5, 'expired'],
    [59, '0:59'],
    [900, '15:00'],
    [3599, '59:59'],
    [3600, '1h'],
    [7260, '2h 1m'],
  ])('%d s → %s', (s, text) => expect(countdown(s)).toBe(text));
});

describe('hostOf', () => {
  it.each([
    ['https://gmail.googleapis.com/v1', undefined, 'gmail.googleapis.com'],
    ['http://127.0.0.1:7457/x', undefined, '127.0.0.1:7457'],
    ['urn:example:api', undefined, 'urn:example:api'],
    ['not a url', '', ''],
    ['urn:x', 'unknown', 'unknown'],
  ])('%s (fallback %j) → %s', (url, fallback, host) => expect(hostOf(url, fallback)).toBe(host));
});
