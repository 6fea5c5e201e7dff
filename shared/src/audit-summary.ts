/**
 * What an audit row's `detail` says, in a few plain words, for the CLI's `audit` table and the Activity page.
 * Every field is read through `parseAuditDetail` (audit-events.ts), narrowed by type: a row of a type this
 * version does not know, or whose detail does not match its type, says nothing rather than something wrong.
 * The text is raw: callers show it through the text policy (`showText`).
 */
import { parseAuditDetail } from './audit-events.js';
import { formatDuration } from './duration.js';

const list = (words: readonly string[]): string => words.join(' ');
const joined = (...parts: (string | false | null | undefined)[]): string => parts.filter((p): p is string => Boolean(p)).join('; ');

/** The row's detail in brief: why it was refused, what was dropped or capped, which tool, by whom. Empty when nothing to add. */
export function auditDetailSummary(type: string, detail: unknown): string {
  const row = parseAuditDetail(type, detail);
  if (!row) return '';
  switch (row.type) {
    case 'request.created':
      return joined(
        row.detail.capped_to !== null && `shortened by policy to ${formatDuration(row.detail.capped_to)}`,
        row.detail.blocked_by_policy.length > 0 && `blocked by policy: ${list(row.detail.blocked_by_policy)}`,
        row.detail.authorization_details !== undefined && 'with authorization_details',
      );
    case 'request.refused':
    case 'token.refused':
      return `${row.detail.error}: ${row.detail.reason}`;
    case 'grant.approved':
      if ('error' in row.detail) return `${row.detail.error}: ${row.detail.reason}`;
      return joined(`via ${row.detail.via}`, row.detail.dropped_scopes.length > 0 && `dropped: ${list(row.detail.dropped_scopes)}`);
    case 'grant.denied':
      return joined(`via ${row.detail.via}`, row.detail.reason);
    case 'grant.revoked':
      return joined(`via ${row.detail.via}`, row.detail.all && 'revoke all', row.detail.reason);
    case 'grant.ended':
    case 'token.introspected_inactive':
    case 'token.revoked':
    case 'audit.tamper_detected':
    case 'audit.export_rewound':
      return row.detail.reason;
    case 'token.issued':
      return `via ${row.detail.via}`;
    case 'tool.called':
      return row.detail.tool;
    case 'tool.refused':
      return joined(row.detail.tool, row.detail.reason);
    case 'client.registered':
      return `${row.detail.name} (${row.detail.kind})`;
    case 'external.requested':
    case 'external.blocked':
    case 'external.granted':
    case 'external.denied':
    case 'external.revoked':
    case 'external.expired':
      return `${row.detail.platform} → ${row.detail.provider}`;
    case 'chat.prompt_seen':
    case 'chat.decision':
    case 'chat.adapter_miss':
      return joined(row.detail.site, row.detail.tool, row.detail.detail);
    case 'audit.refusals_aggregated':
      return `${row.detail.count} × ${row.detail.refused_type} by ${row.detail.client}`;
    default:
      return '';
  }
}

/** The authorization_details a `request.created` row recorded (as JSON text), parsed; undefined for any other row. */
export function recordedAuthorizationDetails(type: string, detail: unknown): unknown {
  const row = parseAuditDetail(type, detail);
  if (row?.type !== 'request.created' || row.detail.authorization_details === undefined) return undefined;
  const raw = row.detail.authorization_details;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
