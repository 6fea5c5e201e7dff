import { describe, expect, it } from 'vitest';
import { DETAILS_LIMITS, FLAG_NEW_PAYEE, describeAuthorizationDetails, detailsProblem, detailsSummary, payeesOf } from '../src/authorization-details/model.js';
import { formatIban, groupAmount } from '../src/authorization-details/format.js';

const payment = {
  type: 'payment_initiation',
  actions: ['initiate', 'status', 'cancel'],
  locations: ['https://example.com/payments'],
  instructedAmount: { currency: 'EUR', amount: '9999.00' },
  creditorName: 'Merchant A',
  creditorAccount: { iban: 'DE02120300000000202051' },
  remittanceInformationUnstructured: 'Ref Number Merchant',
};

describe('the plain-words model of authorization_details', () => {
  it('says a payment with amount and currency, payee, IBAN grouped in full, reference; risk admin', () => {
    const m = describeAuthorizationDetails([payment]);
    expect(m).toMatchObject({ showable: true, problems: [], risk: 'admin' });
    const [e] = m.entries;
    expect(e).toMatchObject({ type: 'payment_initiation', known: true, title: 'Payment', risk: 'admin' });
    expect(e!.fields).toEqual([
      { label: 'Amount', value: '9,999.00 EUR' },
      { label: 'To', value: 'Merchant A' },
      { label: 'To account (IBAN)', value: 'DE02 1203 0000 0000 2020 51' },
      { label: 'Reference', value: 'Ref Number Merchant' },
      { label: 'Actions', value: 'initiate, status, cancel' },
      { label: 'At', value: 'https://example.com/payments' },
    ]);
    expect(e!.flags).toEqual(['Moves money: check the amount and the payee against the task']);
    expect(detailsSummary(m)).toBe('a payment of 9,999.00 EUR to Merchant A');
  });

  it('flags a payee never paid before, when the caller knows earlier approvals', () => {
    expect(payeesOf([payment, { type: 'x' }])).toEqual(['DE02120300000000202051']);
    expect(describeAuthorizationDetails([payment], { seenPayees: new Set() }).entries[0]!.flags).toContain(FLAG_NEW_PAYEE);
    expect(describeAuthorizationDetails([payment], { seenPayees: new Set(['DE02120300000000202051']) }).entries[0]!.flags).not.toContain(FLAG_NEW_PAYEE);
    expect(describeAuthorizationDetails([payment]).entries[0]!.flags).not.toContain(FLAG_NEW_PAYEE);
  });

  it('flags a payment with a bad IBAN, a non-numeric amount or no amount', () => {
    const bad = describeAuthorizationDetails([
      { ...payment, instructedAmount: { currency: 'eur', amount: '9.999,00' }, creditorAccount: { iban: 'DE00120300000000202051' } },
    ]);
    expect(bad.entries[0]!.flags).toEqual(
      expect.arrayContaining([
        'Amount is not a plain number: read it carefully',
        'Currency is not a three-letter ISO 4217 code',
        'To account: not a valid IBAN (check digits or format are wrong)',
      ]),
    );
    const none = describeAuthorizationDetails([{ type: 'payment_initiation', creditorName: 'X' }]);
    expect(none.entries[0]!.flags).toContain('No amount stated: the payment could be for any amount');
    expect(none.entries[0]!.flags).toContain('No payee account stated');
  });

  it('says account access with each account, and the RFC 9396 common fields', () => {
    const m = describeAuthorizationDetails([
      {
        type: 'account_information',
        actions: ['list_accounts', 'read_balances'],
        locations: ['https://example.com/accounts'],
        access: { accounts: [{ iban: 'DE02120300000000202051' }], balances: [{ iban: 'GB29NWBK60161331926819' }] },
      },
    ]);
    expect(m.entries[0]).toMatchObject({ title: 'Account access', risk: 'read', known: true, flags: [] });
    expect(m.entries[0]!.fields).toEqual([
      { label: 'Account details of (IBAN)', value: 'DE02 1203 0000 0000 2020 51' },
      { label: 'Balances of (IBAN)', value: 'GB29 NWBK 6016 1331 9268 19' },
      { label: 'Actions', value: 'list_accounts, read_balances' },
      { label: 'At', value: 'https://example.com/accounts' },
    ]);
  });

  it('says an OpenID credential request', () => {
    const m = describeAuthorizationDetails([{ type: 'openid_credential', credential_configuration_id: 'UniversityDegreeCredential' }]);
    expect(m.entries[0]).toMatchObject({ title: 'Digital credential', known: true, risk: 'write' });
    expect(m.entries[0]!.fields[0]).toEqual({ label: 'Credential', value: 'UniversityDegreeCredential' });
  });

  it('shows an unknown type verbatim, every key at any depth, flagged, at least Write', () => {
    const m = describeAuthorizationDetails([{ type: 'x-bank', limit: 5, target: { name: 'Bob', tags: ['a', 'b'] }, list: [{ k: true }] }]);
    const [e] = m.entries;
    expect(e).toMatchObject({ known: false, title: 'Unknown type “x-bank”', risk: 'write', flags: ['Unknown type — check with the agent’s maker'] });
    expect(e!.fields).toEqual([
      { label: 'limit', value: '5' },
      { label: 'target › name', value: 'Bob' },
      { label: 'target › tags', value: 'a, b' },
      { label: 'list #1 › k', value: 'true' },
    ]);
    expect(describeAuthorizationDetails([{ type: 'x', actions: ['delete'] }]).risk).toBe('admin');
  });

  it('keeps unknown keys of a known type, verbatim', () => {
    const e = describeAuthorizationDetails([{ ...payment, debtorAccount: { iban: 'X' } }]).entries[0]!;
    expect(e.fields).toContainEqual({ label: 'debtorAccount › iban', value: 'X' });
  });
});

describe('if it cannot be shown, it cannot be approved', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an array', { type: 'x' }, /array/],
    ['an entry without type', [{ actions: ['x'] }], /type/],
    ['too many entries', Array.from({ length: DETAILS_LIMITS.maxEntries + 1 }, () => ({ type: 'x' })), /entries/],
    ['too many values in one entry', [{ type: 'x', v: Array.from({ length: DETAILS_LIMITS.maxFieldsPerEntry }, (_, i) => i) }], /values/],
    ['a string too long', [{ type: 'x', v: 'y'.repeat(DETAILS_LIMITS.maxStringLength + 1) }], /characters/],
    ['a key too long', [{ type: 'x', ['k'.repeat(DETAILS_LIMITS.maxStringLength + 1)]: 1 }], /characters/],
    ['nested too deep', [{ type: 'x', a: { b: { c: { d: { e: 1 } } } } }], /levels deep/],
    ['nested past the JSON limit', [{ type: 'x', a: [[[[[[[[[1]]]]]]]]] }], /deeper/],
    ['RLO in a value', [{ ...payment, creditorName: 'Merchant \u202eA' }], /U\+202E/],
    ['newline in a value', [{ ...payment, remittanceInformationUnstructured: 'ok\nIBAN: other' }], /U\+000A/],
    ['a tag character in a key', [{ type: 'x', 'k\u{E0041}': 1 }], /U\+E0041/],
    ['Hangul filler in the type', [{ type: 'payment\u3164initiation' }], /U\+3164/],
    ['a run of spaces deep inside', [{ type: 'x', a: { b: ['ok', `pad${' '.repeat(30)}x`] } }], /spaces/],
    ['word joiner in an array item', [{ type: 'x', actions: ['read\u2060'] }], /U\+2060/],
  ];
  it.each(cases)('%s → not showable, with a reason', (_, details, why) => {
    const m = describeAuthorizationDetails(details);
    expect(m.showable).toBe(false);
    expect(m.risk).toBe('admin');
    expect(detailsProblem(details)).toMatch(why);
    expect(detailsSummary(m)).toMatch(/cannot show in full/);
  });

  it('at the limits is still showable', () => {
    const m = describeAuthorizationDetails(
      Array.from({ length: DETAILS_LIMITS.maxEntries }, () => ({ type: 'x', a: { b: { c: { d: 'y'.repeat(DETAILS_LIMITS.maxStringLength) } } } })),
    );
    expect(m.problems).toEqual([]);
  });

  it('shows hidden characters as markers even where it refuses', () => {
    const m = describeAuthorizationDetails([{ ...payment, creditorName: 'Merchant \u202eA' }]);
    expect(m.entries[0]!.fields).toContainEqual({ label: 'To', value: 'Merchant ⟨U+202E⟩A' });
  });
});

describe('formats', () => {
  it.each([
    ['9999.00', '9,999.00'],
    ['1234567', '1,234,567'],
    ['0.5', '0.5'],
    ['12', '12'],
    ['1e5', undefined],
    ['-3', undefined],
    ['9.999,00', undefined],
  ])('amount %s → %s', (a, want) => expect(groupAmount(a)).toBe(want));
  it('IBANs: grouped by four, checked', () => {
    expect(formatIban('GB29NWBK60161331926819')).toEqual({ shown: 'GB29 NWBK 6016 1331 9268 19', valid: true });
    expect(formatIban('GB29 NWBK 6016 1331 9268 19')).toEqual({ shown: 'GB29 NWBK 6016 1331 9268 19', valid: true });
    expect(formatIban('GB28NWBK60161331926819').valid).toBe(false);
    expect(formatIban('not an iban')).toEqual({ shown: 'not an iban', valid: false });
  });
});
