import { describeAuthorizationDetails, detailsSummary, type DetailsContext } from '#shared/authorization-details/model.js';

/** authorization_details as indented plain-words lines for `mandate pending`: title and risk, labelled fields, flags. */
export function detailsLines(details: unknown, indent: string, context: DetailsContext = {}): string[] {
  const model = describeAuthorizationDetails(details, context);
  if (!model.showable) return [`CANNOT BE SHOWN IN FULL: do not approve`, ...model.problems.map((p) => `${indent}! ${p}`)];
  const width = Math.min(24, Math.max(0, ...model.entries.flatMap((e) => e.fields.map((f) => f.label.length))));
  return model.entries.flatMap((e, i) => [
    `${i === 0 ? '' : indent}${e.title} (risk: ${e.risk})`,
    ...e.fields.map((f) => `${indent}  ${f.label.padEnd(width)}  ${f.value}`),
    ...e.flags.map((f) => `${indent}  ! ${f}`),
  ]);
}

/** One phrase for tables: "a payment of 9,999.00 EUR to Merchant A", or "-" when there are none. */
export const detailsPhrase = (details: unknown): string => (details ? detailsSummary(describeAuthorizationDetails(details)) : '-');
