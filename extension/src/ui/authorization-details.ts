/**
 * RFC 9396 authorization_details in plain words (shared/src/authorization-details/model.ts): one block per entry
 * with its title and risk, labelled fields and flags. When the model says they cannot be shown in full, a plain
 * warning and what was received, escaped — and the caller must not offer approval (`data-showable="false"`).
 * Pages that use it link ../ui/authorization-details.css. Text only; every string was escaped by the model.
 */
import { describeAuthorizationDetails, type DetailEntry, type DetailsContext, type DetailsModel } from '#shared/authorization-details/model.js';
import { showText } from '#shared/text.js';
import { h } from './dom.js';
import { riskPill } from './scopes.js';

export { describeAuthorizationDetails, detailsSummary, payeesOf } from '#shared/authorization-details/model.js';
export type { DetailsContext, DetailsModel } from '#shared/authorization-details/model.js';

/** How much of an unshowable raw value is repeated, escaped, so the person can see what was hidden. */
const RAW_SHOWN = 2000;

function entryView(e: DetailEntry): HTMLElement {
  return h(
    'li',
    { class: `ad-entry${e.known ? '' : ' ad-unknown'}`, 'data-type': e.type },
    h('div', { class: 'ad-head' }, h('strong', { class: 'ad-title' }, e.title), riskPill(e.risk)),
    e.fields.length
      ? h('dl', { class: 'ad-fields' }, ...e.fields.flatMap((f) => [h('dt', {}, f.label), h('dd', {}, f.value)]))
      : h('p', { class: 'ad-empty' }, 'No further details'),
    e.flags.length ? h('ul', { class: 'ad-flags' }, ...e.flags.map((f) => h('li', {}, f))) : null,
  );
}

function unshowable(model: DetailsModel, raw: string | undefined, details: unknown): HTMLElement[] {
  let text = raw;
  if (text === undefined) {
    try {
      text = JSON.stringify(details) ?? String(details);
    } catch {
      text = String(details);
    }
  }
  const shown = showText(text.length > RAW_SHOWN ? `${text.slice(0, RAW_SHOWN)}…` : text);
  return [
    h('p', { class: 'ad-refused', role: 'alert' }, 'Mandate cannot show these details in full, so they cannot be approved.'),
    h('ul', { class: 'ad-flags' }, ...model.problems.slice(0, 5).map((p) => h('li', {}, p))),
    h('pre', { class: 'ad-raw' }, shown),
  ];
}

/**
 * The view for `details` (anything; validated here). `raw` is the text as received, shown when the details are
 * not valid JSON (pass `details` undefined) or cannot be shown in full. `context` adds flags from earlier decisions.
 */
export function authorizationDetailsView(details: unknown, raw?: string, context: DetailsContext = {}): HTMLElement {
  const model: DetailsModel =
    details === undefined && raw !== undefined
      ? { entries: [], showable: false, problems: ['authorization_details is not valid JSON'], risk: 'admin' }
      : describeAuthorizationDetails(details, context);
  return h(
    'section',
    { class: 'auth-details', 'aria-label': 'Details of the request', 'data-showable': String(model.showable) },
    h('h2', { class: 'ad-heading' }, model.entries.length === 1 ? 'Details' : `Details (${model.entries.length})`),
    model.entries.length ? h('ul', { class: 'ad-list' }, ...model.entries.map(entryView)) : null,
    ...(model.showable ? [] : unshowable(model, raw, details)),
  );
}
