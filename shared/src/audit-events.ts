/**
 * The audit trail as a typed catalog: every audit `type` with the exact shape of its `detail`.
 * The daemon's appends are type-checked against it (daemon/src/audit/log.ts); readers (Activity page, CLI,
 * export) parse a row's `detail` by its type with `parseAuditDetail`. docs/protocol.md §6 lists every type
 * (checked by shared/test/audit-events.test.ts).
 */
import * as z from 'zod';

// Each type's schema is built the first time a row of that type is parsed, not at import: the daemon's start
// never parses one, and building all of them took it a few milliseconds (bench/README.md, "Schemas built when first
// parsed"). So the pieces below are functions too.
const text = () => z.string();
const texts = () => z.array(z.string());
const int = () => z.number().int();
/** Who acted: `cli`, `extension:<credential id>`, `daemon`, … */
const via = () => z.string();

/** Rows written through a refusal (`grantService.refuse`) carry the error code and its description. */
const refusal = () => ({ error: text(), reason: text() });

const external = () => ({ external_id: text(), provider: text(), platform: text(), via: via() });
const chat = () => ({ site: text(), page_host: text(), tool: text().nullable(), detail: text().nullable(), via: via() });

export const AUDIT_DETAIL = {
  'request.created': () =>
    z.strictObject({
      requested_expiry: int(),
      /** The duration an organisational cap shortened the request to, or null when it was not shortened. */
      capped_to: int().nullable(),
      blocked_by_policy: texts(),
      /** The request's authorization_details as JSON text, when it carried any. */
      authorization_details: text().optional(),
    }),
  'request.refused': () => z.strictObject({ ...refusal(), beyond_ceiling: texts().optional(), policy: z.literal('agents').optional() }),
  'request.expired': () => z.strictObject({ expired_at: int().nullable() }),
  'grant.approved': () =>
    z.union([
      z.strictObject({ via: via(), expires_at: int(), dropped_scopes: texts() }),
      z.strictObject({ via: via(), ...refusal(), blocked_by_policy: texts().optional() }),
    ]),
  'grant.denied': () => z.strictObject({ via: via(), reason: text().nullable() }),
  'grant.revoked': () => z.strictObject({ via: via(), all: z.literal(true).optional(), reason: text().optional() }),
  'grant.ended': () => z.strictObject({ jti: text().optional(), reason: text() }),
  'grant.expired': () => z.strictObject({ expired_at: int().nullable() }),
  'token.issued': () => z.strictObject({ jti: text(), exp: int(), via: z.enum(['ciba', 'token-exchange', 'authorization_code', 'refresh_token']) }),
  'token.refused': () => z.strictObject({ ...refusal(), asked_resource: text().optional(), policy: z.literal('alwaysAskScopes').optional() }),
  'token.introspected_inactive': () => z.strictObject({ caller: text(), reason: text() }),
  'token.revoked': () => z.strictObject({ caller: text(), reason: text() }),
  'client.registered': () =>
    z.strictObject({
      name: text(),
      kind: z.enum(['agent', 'resource_server']),
      resources: texts().optional(),
      redirect_uris: texts().optional(),
      public: z.boolean().optional(),
      via: via(),
    }),
  'client.removed': () => z.strictObject({ via: via(), reason: text().optional() }),
  'client.auth_failed': () => z.strictObject({ path: text() }),
  'external.requested': () => z.strictObject({ ...external(), dropped_scopes: texts(), expires_at: int() }),
  'external.blocked': () => z.strictObject({ ...external(), dropped_scopes: texts(), expires_at: int() }),
  'external.granted': () => z.strictObject({ ...external(), error: text().nullable() }),
  'external.denied': () => z.strictObject({ ...external(), error: text().nullable() }),
  'external.revoked': () => z.strictObject(external()),
  'external.expired': () => z.strictObject(external()),
  'chat.prompt_seen': () => z.strictObject(chat()),
  'chat.decision': () => z.strictObject(chat()),
  'chat.adapter_miss': () => z.strictObject(chat()),
  'admin.paired': () => z.strictObject({ credential_id: text(), origin: text(), jkt: text() }),
  'admin.pairing_code_created': () => z.strictObject({ expires_at: int() }),
  'admin.credential_revoked': () => z.strictObject({ credential_id: text(), via: via() }),
  'admin.pairing_failed': () => z.strictObject({ origin: text() }),
  'audit.keyed': () => z.strictObject({ legacy_rows: int(), legacy_intact: z.boolean(), legacy_head: text() }),
  'audit.tamper_detected': () => z.strictObject({ reason: text(), last_id_found: int(), export_rewound_from: int().nullable() }),
  'audit.refusals_aggregated': () => z.strictObject({ client: text(), refused_type: text(), count: int(), first_ts: int(), last_ts: int() }),
  'audit.export_rewound': () => z.strictObject({ from: int(), to: int(), reason: text() }),
  /** A resource server's report of one tool call it allowed or refused under a grant (never arguments or results). */
  'tool.called': () => z.strictObject({ tool: text(), call_id: text(), reported_by: text(), at: int(), reason: text().nullable() }),
  'tool.refused': () => z.strictObject({ tool: text(), call_id: text(), reported_by: text(), at: int(), reason: text().nullable() }),
} as const;

export type AuditType = keyof typeof AUDIT_DETAIL;
export const AUDIT_TYPES = Object.keys(AUDIT_DETAIL) as AuditType[];
export const auditType = z.lazy(() => z.enum(AUDIT_TYPES as [AuditType, ...AuditType[]]));

/** The `detail` of an audit row of type T. */
export type AuditDetail<T extends AuditType = AuditType> = z.output<ReturnType<(typeof AUDIT_DETAIL)[T]>>;

/** One audit row's type and detail, discriminated by `type`: narrow on `type` to read `detail`. */
export type AuditEventDetail = { [T in AuditType]: { type: T; detail: AuditDetail<T> } }[AuditType];

const built = new Map<AuditType, z.ZodType>();

/**
 * Parses a stored row's `detail` against its type. Returns undefined for a type this version does not know
 * (a newer daemon's row) or a detail that does not match: a reader then shows the row without its detail.
 */
export function parseAuditDetail(type: string, detail: unknown): AuditEventDetail | undefined {
  if (!Object.hasOwn(AUDIT_DETAIL, type)) return undefined;
  const t = type as AuditType;
  let schema = built.get(t);
  if (schema === undefined) {
    schema = AUDIT_DETAIL[t]();
    built.set(t, schema);
  }
  const parsed = schema.safeParse(detail);
  return parsed.success ? ({ type: t, detail: parsed.data } as AuditEventDetail) : undefined;
}
