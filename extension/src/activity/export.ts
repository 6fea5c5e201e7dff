import type { AuditEventView } from '#shared/admin-api.js';

const COLUMNS = ['id', 'ts', 'time', 'type', 'outcome', 'decision', 'person', 'agent', 'resource', 'scopes', 'grant_id', 'detail', 'hash'] as const;

/** RFC 4180 field: quoted when needed; a leading =,+,-,@ is prefixed so spreadsheets never run it as a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(events: readonly AuditEventView[]): string {
  const rows = events.map((e) =>
    [
      String(e.id),
      String(e.ts),
      new Date(e.ts * 1000).toISOString(),
      e.type,
      e.outcome,
      e.decision ?? '',
      e.person ?? '',
      e.agent ?? '',
      e.resource ?? '',
      e.scopes.join(' '),
      e.grant_id ?? '',
      e.detail ? JSON.stringify(e.detail) : '',
      e.hash,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

export function toJsonLines(events: readonly AuditEventView[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}
