import '../lib/zod-jitless.js';
import { publicMessage } from '#shared/errors.js';
import type { AuditEventView, AuditQuery, GrantView } from '#shared/admin-api.js';
import { send } from '../lib/messaging.js';
import { $, h, replaceChildren } from '../ui/dom.js';
import { toCsv, toJsonLines } from './export.js';
import { timelines } from './timeline.js';
import { showText } from '#shared/text.js';
import { recordedAuthorizationDetails } from '#shared/audit-summary.js';
import { describeAuthorizationDetails, detailsSummary } from '#shared/authorization-details/model.js';
import { unknownScopes } from '#shared/scopes/unknown.js';

/** The permissions in these events that Mandate could not explain, shown verbatim (through the text policy). */
function renderUnknown(list: readonly AuditEventView[]): void {
  const unknown = unknownScopes(list);
  $('#unknown-count').textContent =
    unknown.length === 0
      ? 'Every permission in these events is in Mandate’s catalog.'
      : `${unknown.length} permission${unknown.length === 1 ? '' : 's'} not in Mandate’s catalog`;
  replaceChildren(
    $('#unknown-rows'),
    ...unknown.map((u) =>
      h('tr', {}, h('td', {}, h('code', {}, showText(u.scope))), h('td', {}, String(u.count)), h('td', {}, new Date(u.lastSeen * 1000).toLocaleString())),
    ),
  );
}

/** What a request asked beyond scopes, in brief and in plain words (the full view is on the request card). */
function detailsCell(e: AuditEventView): HTMLElement {
  const details = recordedAuthorizationDetails(e.type, e.detail);
  if (details === undefined) return h('td', {}, '—');
  const model = describeAuthorizationDetails(details);
  return h(
    'td',
    { class: model.showable ? 'details' : 'details unshowable', title: model.entries.flatMap((x) => x.fields.map((f) => `${f.label}: ${f.value}`)).join('\n') },
    detailsSummary(model),
  );
}

const form = $('#filters') as HTMLFormElement;
let events: AuditEventView[] = [];

function query(): AuditQuery {
  const data = new FormData(form);
  const text = (k: string) => String(data.get(k) ?? '').trim() || undefined;
  const since = Number(data.get('since') || 0);
  const outcome = text('outcome');
  return {
    agent: text('agent'),
    resource: text('resource'),
    outcome: outcome === 'ok' || outcome === 'refused' ? outcome : undefined,
    since: since ? Math.floor(Date.now() / 1000) - since : undefined,
    limit: 2000,
  };
}

async function load(): Promise<void> {
  try {
    events = (await send('audit.query', query())).events;
    const state = await send('state.get', {});
    const grants = new Map<string, GrantView>([...state.active, ...state.history].map((g) => [g.id, g]));
    replaceChildren($('#timeline-list'), ...timelines(events, grants));
    $('#count').textContent = `${events.length} event${events.length === 1 ? '' : 's'}${events.length === 2000 ? ' (newest 2000)' : ''}`;
    replaceChildren(
      $('#rows'),
      ...events.map((e) =>
        h(
          'tr',
          { class: e.outcome },
          h('td', {}, String(e.id)),
          h('td', {}, new Date(e.ts * 1000).toLocaleString()),
          h('td', {}, showText(e.type)),
          h('td', {}, e.outcome),
          h('td', {}, e.agent === null ? '—' : showText(e.agent)),
          h('td', {}, e.resource === null ? '—' : showText(e.resource)),
          h('td', {}, showText(e.scopes.join(' ')) || '—'),
          detailsCell(e),
        ),
      ),
    );
    renderUnknown(events);
  } catch (err) {
    $('#count').textContent = `Could not load the audit trail: ${publicMessage(err)}`;
  }
  try {
    const v = await send('audit.verify', {});
    replaceChildren(
      $('#chain'),
      v.ok
        ? h('span', { class: 'chain-ok' }, `Hash chain verified: ${v.rows} rows intact`)
        : h('span', { class: 'chain-broken' }, `Hash chain BROKEN at row ${v.first_broken?.id}: ${v.first_broken?.reason}`),
    );
  } catch (err) {
    $('#chain').textContent = `Chain not checked: ${publicMessage(err)}`;
  }
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void load();
});
$('#export-jsonl').addEventListener('click', () => download(`mandate-audit-${stamp()}.jsonl`, 'application/x-ndjson', toJsonLines(events)));
$('#export-csv').addEventListener('click', () => download(`mandate-audit-${stamp()}.csv`, 'text/csv', toCsv(events)));
void load();
