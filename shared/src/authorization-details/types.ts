/**
 * The RFC 9396 types Mandate knows how to say in plain words, and the common fields of every type (§2.2).
 * A known type reads the keys it understands; whatever is left is shown verbatim by the model.
 */
import type { Risk } from '../scopes/risk.js';
import { showText } from '../text.js';
import { flatten, isObject, scalarText, type DetailField, type EntryReader } from './fields.js';
import { formatIban, groupAmount, isCurrencyCode } from './format.js';

/** What the caller knows from earlier decisions; without it, no "not seen before" flags are raised. */
export interface DetailsContext {
  /** IBANs (without spaces) that earlier approved payments went to. */
  seenPayees?: ReadonlySet<string>;
}

export interface KnownType {
  title: string;
  risk: Risk;
  read(r: EntryReader, fields: DetailField[], flags: string[], context: DetailsContext): void;
}

export const FLAG_UNKNOWN_TYPE = 'Unknown type — check with the agent’s maker';
export const FLAG_NEW_PAYEE = 'Payee not seen before: no payment you approved went to this account';

/** The payee IBANs (without spaces) of the payments in `details`, for DetailsContext.seenPayees. */
export function payeesOf(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d) =>
    isObject(d) && d.type === 'payment_initiation' && isObject(d.creditorAccount) && typeof d.creditorAccount.iban === 'string'
      ? [d.creditorAccount.iban.replace(/ /g, '')]
      : [],
  );
}

/** Amount with its currency: "9,999.00 EUR". */
export function moneyText(v: unknown, flags: string[]): string | undefined {
  if (!isObject(v)) return v === undefined ? undefined : scalarText(v);
  const amount = typeof v.amount === 'number' ? String(v.amount) : typeof v.amount === 'string' ? v.amount : undefined;
  const currency = typeof v.currency === 'string' ? v.currency : undefined;
  const grouped = amount === undefined ? undefined : groupAmount(amount);
  if (grouped === undefined) flags.push('Amount is not a plain number: read it carefully');
  if (currency === undefined || !isCurrencyCode(currency)) flags.push('Currency is not a three-letter ISO 4217 code');
  const extra = Object.keys(v).filter((k) => k !== 'amount' && k !== 'currency');
  const main = `${grouped ?? (amount === undefined ? '(no amount)' : showText(amount))} ${currency === undefined ? '(no currency)' : showText(currency)}`;
  return extra.length ? `${main} (+ ${extra.map((k) => `${showText(k)}: ${scalarText(v[k])}`).join(', ')})` : main;
}

/** An account object: its IBAN grouped and in full, any other key verbatim. */
function account(v: unknown, label: string, fields: DetailField[], flags: string[], seen?: ReadonlySet<string>): void {
  if (!isObject(v)) {
    flatten(v, label, fields);
    return;
  }
  for (const [k, value] of Object.entries(v)) {
    if (k === 'iban' && typeof value === 'string') {
      const iban = formatIban(value);
      if (!iban.valid) flags.push(`${label}: not a valid IBAN (check digits or format are wrong)`);
      else if (seen !== undefined && !seen.has(value.replace(/ /g, ''))) flags.push(FLAG_NEW_PAYEE);
      fields.push({ label: `${label} (IBAN)`, value: iban.valid ? iban.shown : showText(value) });
    } else flatten(value, `${label} › ${showText(k)}`, fields);
  }
}

const paymentInitiation: KnownType = {
  title: 'Payment',
  risk: 'admin',
  read(r, fields, flags, context) {
    const amount = moneyText(r.take('instructedAmount'), flags);
    if (amount === undefined) flags.push('No amount stated: the payment could be for any amount');
    else fields.push({ label: 'Amount', value: amount });
    const name = r.take('creditorName');
    if (name !== undefined) fields.push({ label: 'To', value: scalarText(name) });
    if (r.has('creditorAccount')) account(r.take('creditorAccount'), 'To account', fields, flags, context.seenPayees);
    else flags.push('No payee account stated');
    const ref = r.take('remittanceInformationUnstructured');
    if (ref !== undefined) fields.push({ label: 'Reference', value: scalarText(ref) });
    flags.push('Moves money: check the amount and the payee against the task');
  },
};

const ACCESS_LABELS: Record<string, string> = { accounts: 'Account details of', balances: 'Balances of', transactions: 'Transactions of' };

const accountInformation: KnownType = {
  title: 'Account access',
  risk: 'read',
  read(r, fields, flags) {
    const access = r.take('access');
    if (!isObject(access)) return access === undefined ? undefined : flatten(access, 'Access', fields);
    for (const [k, v] of Object.entries(access)) {
      const label = ACCESS_LABELS[k] ?? `Access › ${showText(k)}`;
      if (Array.isArray(v) && v.length > 0) for (const item of v) account(item, label, fields, flags);
      else flatten(v, label, fields);
    }
  },
};

const openidCredential: KnownType = {
  title: 'Digital credential',
  risk: 'write',
  read(r, fields) {
    for (const [key, label] of [
      ['credential_configuration_id', 'Credential'],
      ['format', 'Format'],
      ['vct', 'Credential type'],
      ['doctype', 'Document type'],
      ['credential_identifiers', 'Credential ids'],
    ] as const) {
      if (r.has(key)) flatten(r.take(key), label, fields);
    }
    fields.push({ label: 'Effect', value: 'A credential is issued in your name to the agent' });
  },
};

export const KNOWN_TYPES: ReadonlyMap<string, KnownType> = new Map([
  ['payment_initiation', paymentInitiation],
  ['account_information', accountInformation],
  ['openid_credential', openidCredential],
]);

/** RFC 9396 §2.2 common fields, shown for every type. */
export const COMMON_FIELDS: readonly (readonly [string, string])[] = [
  ['actions', 'Actions'],
  ['locations', 'At'],
  ['datatypes', 'Data types'],
  ['identifier', 'Identifier'],
  ['privileges', 'Privileges'],
];

/** Actions that make an unknown type more serious than Write. */
export const SERIOUS_ACTIONS = /^(delete|remove|admin|manage|pay|payment|transfer|send|sign|grant|share|owner)/i;
