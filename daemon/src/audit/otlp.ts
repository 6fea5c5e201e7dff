/**
 * OTLP/HTTP JSON encoding of audit rows as log records (opentelemetry-proto docs/specification.md: JSON
 * Protobuf encoding, lowerCamelCase field names, 64-bit integers as decimal strings, enums as integers).
 * Wire format: docs/audit-export.md. Sending and retrying: export.ts.
 */
import * as z from 'zod';
import type { AuditRow } from '../store/audit.repo.js';

/** `scope.name` of every export. */
export const AUDIT_EXPORT_SCOPE = 'mandate.audit';

/** OTLP JSON: an AnyValue, limited to what the exporter sends. int64 values are decimal strings. */
export type OtlpAnyValue = { stringValue: string } | { intValue: string };
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  eventName: string;
  body: { stringValue: string };
  attributes: OtlpKeyValue[];
}
/** opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest, JSON encoding. */
export interface ExportLogsServiceRequest {
  resourceLogs: {
    resource: { attributes: OtlpKeyValue[] };
    scopeLogs: { scope: { name: string; version: string }; logRecords: OtlpLogRecord[] }[];
  }[];
}

/** ExportLogsServiceResponse: only partial success matters (spec: do not retry it, but say what was rejected). */
export const exportResponse = z.lazy(() =>
  z.object({
    partialSuccess: z
      .object({
        rejectedLogRecords: z.union([z.string(), z.number()]).optional(),
        errorMessage: z.string().optional(),
      })
      .optional(),
  }),
);

export const str = (key: string, value: string): OtlpKeyValue => ({ key, value: { stringValue: value } });

/** Seconds to the nanosecond decimal string OTLP uses for fixed64. BigInt keeps it exact for any ts (past 2^53, not all Numbers are integers). */
function unixNano(seconds: number): string {
  return (BigInt(seconds) * 1_000_000_000n).toString();
}

export function toLogRecord(row: AuditRow, person: string): OtlpLogRecord {
  const refused = row.outcome === 'refused';
  const attributes: OtlpKeyValue[] = [
    { key: 'mandate.audit.id', value: { intValue: String(row.id) } },
    str('mandate.event.type', row.type),
    str('mandate.outcome', row.outcome),
  ];
  const optional: [string, string | null][] = [
    ['mandate.decision', row.decision],
    ['enduser.id', row.person ?? person],
    ['mandate.agent', row.agent],
    ['mandate.resource', row.resource],
    ['mandate.scopes', row.scopes === '' ? null : row.scopes],
    ['mandate.grant_id', row.grant_id],
    ['mandate.detail', row.detail],
    ['mandate.hash', row.hash],
    ['mandate.prev_hash', row.prev_hash],
  ];
  for (const [key, value] of optional) if (value !== null) attributes.push(str(key, value));
  const time = unixNano(row.ts);
  return {
    timeUnixNano: time,
    // Mandate is the source of these events, so it observed them when it recorded them (same as an OTel SDK).
    observedTimeUnixNano: time,
    severityNumber: refused ? 13 : 9, // SEVERITY_NUMBER_WARN : SEVERITY_NUMBER_INFO
    severityText: refused ? 'WARN' : 'INFO',
    eventName: row.type,
    body: { stringValue: row.type },
    attributes,
  };
}
