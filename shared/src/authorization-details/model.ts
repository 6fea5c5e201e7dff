/**
 * RFC 9396 `authorization_details` in plain words, the way scopes are shown: each entry with a title, a risk
 * level, labelled fields and flags. Known types get labelled fields; unknown ones show every key and value
 * verbatim (escaped) and are flagged. `showable` is false when anything cannot be shown in full — past the
 * shared limits, hidden characters, or not valid details at all — and then nothing may be approved.
 */
import { MAX_JSON_DEPTH, authorizationDetails, nestsDeeperThan } from '../oauth.js';
import { RISK_ORDER, type Risk } from '../scopes/risk.js';
import { showText, textProblem } from '../text.js';
import { entryReader, flatten, isObject, type DetailField } from './fields.js';
import { DETAILS_LIMITS } from './limits.js';
import { COMMON_FIELDS, FLAG_UNKNOWN_TYPE, KNOWN_TYPES, SERIOUS_ACTIONS, moneyText, type DetailsContext } from './types.js';

export type { DetailField } from './fields.js';
export { DETAILS_LIMITS } from './limits.js';
export { FLAG_NEW_PAYEE, FLAG_UNKNOWN_TYPE, payeesOf, type DetailsContext } from './types.js';

export interface DetailEntry {
  /** The type exactly as sent, escaped. */
  type: string;
  known: boolean;
  title: string;
  risk: Risk;
  fields: DetailField[];
  flags: string[];
  /** A short phrase for notifications: "a payment of 9,999.00 EUR to Acme Power". */
  summary: string;
}

export interface DetailsModel {
  entries: DetailEntry[];
  /** False when any part cannot be shown in full: the person may not approve. */
  showable: boolean;
  /** Why not showable, one line each (empty when showable). */
  problems: string[];
  /** The highest risk of any entry; admin when not showable. */
  risk: Risk;
}

const where = (path: string) => `authorization_details${path}`;
const keyPath = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(k) ? `.${k}` : `[${JSON.stringify(showText(k.slice(0, 40)))}]`);

/** Every reason the details cannot be shown in full: limits, and the text policy on every key and string. */
function limitProblems(json: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(json)) return [`${where('')} must be a JSON array of objects`];
  if (json.length > DETAILS_LIMITS.maxEntries) problems.push(`${where('')} has ${json.length} entries; at most ${DETAILS_LIMITS.maxEntries} can be shown`);
  const text = (s: string, path: string, what: string) => {
    if (s.length > DETAILS_LIMITS.maxStringLength)
      problems.push(`${where(path)}: ${what} is ${s.length} characters; at most ${DETAILS_LIMITS.maxStringLength} can be shown`);
    const p = textProblem(s);
    if (p) problems.push(`${where(path)}: ${what} ${p}`);
  };
  const walk = (v: unknown, depth: number, path: string): number => {
    if (Array.isArray(v) || isObject(v)) {
      if (depth > DETAILS_LIMITS.maxDepth) {
        problems.push(`${where(path)} nests ${depth} levels deep; at most ${DETAILS_LIMITS.maxDepth} can be shown`);
        return 1;
      }
      const children: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x]) : Object.entries(v).map(([k, x]) => [keyPath(k), x]);
      if (!Array.isArray(v)) for (const k of Object.keys(v)) text(k, path + keyPath(k), 'key');
      return children.length === 0 ? 1 : children.reduce((n, [p, x]) => n + walk(x, depth + 1, path + p), 0);
    }
    if (typeof v === 'string') text(v, path, 'value');
    return 1;
  };
  json.slice(0, DETAILS_LIMITS.maxEntries).forEach((entry, i) => {
    const leaves = walk(entry, 1, `[${i}]`);
    if (leaves > DETAILS_LIMITS.maxFieldsPerEntry)
      problems.push(`${where(`[${i}]`)} has ${leaves} values; at most ${DETAILS_LIMITS.maxFieldsPerEntry} can be shown`);
  });
  return problems;
}

function describeEntry(entry: Record<string, unknown> & { type: string }, context: DetailsContext): DetailEntry {
  const r = entryReader(entry);
  const known = KNOWN_TYPES.get(entry.type);
  const fields: DetailField[] = [];
  const flags: string[] = [];
  known?.read(r, fields, flags, context);
  for (const [key, label] of COMMON_FIELDS) if (r.has(key)) flatten(r.take(key), label, fields);
  for (const [k, v] of r.rest()) flatten(v, showText(k), fields);
  let risk: Risk = known?.risk ?? 'write';
  if (!known) {
    flags.unshift(FLAG_UNKNOWN_TYPE);
    const actions = Array.isArray(entry.actions) ? entry.actions : [];
    if (actions.some((a) => typeof a === 'string' && SERIOUS_ACTIONS.test(a))) risk = 'admin';
  }
  const type = showText(entry.type);
  let summary = known ? known.title.toLowerCase() : `details of unknown type “${type}”`;
  if (entry.type === 'payment_initiation') {
    const to = typeof entry.creditorName === 'string' ? ` to ${showText(entry.creditorName)}` : '';
    summary = `a payment of ${moneyText(entry.instructedAmount, []) ?? 'an unstated amount'}${to}`;
  }
  return { type, known: known !== undefined, title: known?.title ?? `Unknown type “${type}”`, risk, fields, flags, summary };
}

const highest = (risks: Risk[]): Risk => risks.reduce<Risk>((a, b) => (RISK_ORDER.indexOf(b) > RISK_ORDER.indexOf(a) ? b : a), RISK_ORDER[0]);

/**
 * The plain-words model of `details` (anything: it is validated here, so renderers may pass what they received).
 * `context` adds flags from earlier decisions (a payee never paid before).
 */
export function describeAuthorizationDetails(details: unknown, context: DetailsContext = {}): DetailsModel {
  if (nestsDeeperThan(details, MAX_JSON_DEPTH)) {
    return { entries: [], showable: false, problems: [`${where('')} nests deeper than ${MAX_JSON_DEPTH} levels`], risk: 'admin' };
  }
  const problems = limitProblems(details);
  const parsed = authorizationDetails.safeParse(details);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    problems.unshift(`${where(issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : keyPath(String(p)))).join(''))}: ${issue.message}`);
    return { entries: [], showable: false, problems, risk: 'admin' };
  }
  const entries = parsed.data.slice(0, DETAILS_LIMITS.maxEntries).map((e) => describeEntry(e, context));
  const showable = problems.length === 0;
  return { entries, showable, problems, risk: showable ? highest(entries.map((e) => e.risk)) : 'admin' };
}

/** Why the daemon must refuse these details (the first problem), or undefined when they can be shown in full. */
export function detailsProblem(details: unknown): string | undefined {
  return describeAuthorizationDetails(details).problems[0];
}

/** One short phrase for notifications: "a payment of 9,999.00 EUR to Acme Power, and account access". */
export function detailsSummary(model: DetailsModel): string {
  if (!model.showable) return 'details Mandate cannot show in full (approval is disabled)';
  return model.entries.map((e) => e.summary).join(', and ');
}
