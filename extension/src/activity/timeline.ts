import type { AuditEventView, GrantView } from '#shared/admin-api.js';
import { parseAuditDetail } from '#shared/audit-events.js';
import { auditDetailSummary } from '#shared/audit-summary.js';
import { describeScopes } from '#shared/scopes/catalog.js';
import { showText } from '#shared/text.js';
import { hostOf } from '../lib/url.js';
import { h } from '../ui/dom.js';

const plain = (scopes: readonly string[]): string =>
  describeScopes(scopes)
    .map((s) => showText(s.description))
    .join('; ') || 'nothing';

/** What the row's detail adds, through the catalog (`parseAuditDetail`) and the text policy: ` (…)`, or nothing. */
const why = (e: AuditEventView): string => {
  const said = auditDetailSummary(e.type, e.detail);
  return said ? ` (${showText(said)})` : '';
};

/** One audit row as a step a person reads: what happened, in plain words. Details are read only through the catalog. */
export function timelineStep(e: AuditEventView): { text: string; kind: string } {
  const row = parseAuditDetail(e.type, e.detail);
  switch (e.type) {
    case 'request.created':
      return { text: `Asked for: ${plain(e.scopes)}`, kind: 'request' };
    case 'request.refused':
      return { text: `Request refused${why(e)}`, kind: 'refused' };
    case 'request.expired':
      return { text: 'Request expired before a decision', kind: 'end' };
    case 'grant.approved':
      return { text: `Approved: ${plain(e.scopes)}`, kind: 'decision' };
    case 'grant.denied':
      return { text: 'Denied', kind: 'decision' };
    case 'token.issued':
      return { text: 'Token issued', kind: 'token' };
    case 'token.refused':
      return { text: `Token refused${why(e)}`, kind: 'refused' };
    case 'tool.called':
      return { text: `Used ${row?.type === 'tool.called' ? showText(row.detail.tool) : 'a tool'}`, kind: 'tool' };
    case 'tool.refused': {
      const tool = row?.type === 'tool.refused' ? row.detail : undefined;
      return { text: `Refused ${tool ? showText(tool.tool) : 'a tool'}${tool?.reason ? ` (${showText(tool.reason)})` : ''}`, kind: 'refused' };
    }
    case 'grant.revoked':
      return { text: 'Revoked', kind: 'end' };
    case 'grant.ended':
      return { text: 'The agent said its task was done', kind: 'end' };
    case 'grant.expired':
      return { text: 'Expired', kind: 'end' };
    default:
      return { text: showText(e.type), kind: 'other' };
  }
}

/**
 * One timeline per delegation, newest first: request → decision → tokens → each tool call → revoke or expiry.
 * Agents appear by name; their client id only on hover. Built from the audit rows shown below it.
 */
export function timelines(events: readonly AuditEventView[], grants: ReadonlyMap<string, GrantView>, max = 20): HTMLElement[] {
  const byGrant = new Map<string, AuditEventView[]>();
  for (const e of [...events].sort((a, b) => a.id - b.id)) {
    if (e.grant_id === null) continue;
    const list = byGrant.get(e.grant_id) ?? [];
    list.push(e);
    byGrant.set(e.grant_id, list);
  }
  const newestFirst = [...byGrant.entries()].sort((a, b) => b[1].at(-1)!.id - a[1].at(-1)!.id).slice(0, max);
  return newestFirst.map(([grantId, rows]) => {
    const g = grants.get(grantId);
    const clientId = g?.agent.client_id ?? rows[0]!.agent ?? '';
    const name = g ? showText(g.agent.name) : showText(clientId);
    const resource = g?.resource ?? rows[0]!.resource ?? '';
    return h(
      'li',
      { class: 'timeline', 'data-grant': grantId },
      h(
        'div',
        { class: 'timeline-head' },
        h('strong', { class: 'agent', title: showText(clientId) }, name),
        ' on ',
        h('span', { title: showText(resource) }, hostOf(resource, showText(resource))),
        g?.binding_message ? h('span', { class: 'task' }, ` — “${showText(g.binding_message)}”`) : null,
      ),
      h(
        'ol',
        { class: 'steps' },
        ...rows.map((e) => {
          const s = timelineStep(e);
          return h('li', { class: `step ${s.kind}` }, h('time', {}, new Date(e.ts * 1000).toLocaleTimeString()), ' ', s.text);
        }),
      ),
    );
  });
}
