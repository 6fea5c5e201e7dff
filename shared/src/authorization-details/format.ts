/** Plain-words formats for money and account numbers in authorization details; each says when it could not. */

const AMOUNT_RE = /^\d{1,15}(\.\d{1,6})?$/;
const CURRENCY_RE = /^[A-Z]{3}$/;
const IBAN_RE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** "9999.00" → "9,999.00" (grouped by thousands, decimals kept exactly as sent); undefined if not a plain amount. */
export function groupAmount(amount: string): string | undefined {
  if (!AMOUNT_RE.test(amount)) return undefined;
  const [whole, fraction] = amount.split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

export const isCurrencyCode = (c: string): boolean => CURRENCY_RE.test(c);

/** ISO 13616 mod-97 check of an IBAN without spaces. */
function ibanChecks(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= 'A' && ch <= 'Z' ? ch.charCodeAt(0) - 55 : Number(ch);
    rest = (rest * (v > 9 ? 100 : 10) + v) % 97;
  }
  return rest === 1;
}

/** An IBAN in full, grouped by four ("DE02 1203 0000 0000 2020 51"), and whether its check digits hold. */
export function formatIban(value: string): { shown: string; valid: boolean } {
  const compact = value.replace(/ /g, '');
  if (!IBAN_RE.test(compact)) return { shown: value, valid: false };
  return { shown: compact.replace(/(.{4})(?=.)/g, '$1 '), valid: ibanChecks(compact) };
}
