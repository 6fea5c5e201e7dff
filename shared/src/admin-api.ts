/**
 * The admin boundary: JSON bodies exchanged between the daemon's /admin routes and its two clients,
 * the extension's service worker and the `mandate` CLI. Both sides parse with these schemas.
 */
import * as z from 'zod';
import { authorizationDetails, resourceUri, scopeToken } from './oauth.js';

const GRANT_STATUSES = ['pending', 'approved', 'denied', 'expired', 'revoked', 'ended'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];
const CLIENT_KINDS = ['agent', 'resource_server'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

// Pieces used by several schemas are functions, so that nothing is built at import (shared/test/lazy-schemas.test.ts)
const unixSeconds = () => z.number().int().nonnegative();
const id = () => z.string().min(1).max(200);

// ---- pairing ----
const base64url = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
/** A P-256 public key as a JWK (RFC 7517); other members (ext, key_ops, alg) are dropped. */
export const ecPublicJwk = z.lazy(() =>
  z.object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: base64url(43, 43),
    y: base64url(43, 43),
  }),
);
export type EcPublicJwk = z.infer<typeof ecPublicJwk>;

export const pairRequest = z.lazy(() =>
  z.strictObject({
    code: z.string().min(1).max(64),
    label: z.string().min(1).max(100).optional(),
    /** The extension's non-extractable proof key: every later admin request carries a DPoP proof signed with it. */
    jwk: ecPublicJwk,
  }),
);
/** `daemon_jwk` is the daemon's identity key, pinned by the extension to recognise its daemon later. */
export const pairResponse = z.lazy(() => z.object({ credential: z.string(), credential_id: z.string(), daemon_jwk: ecPublicJwk }));
export type PairResponse = z.infer<typeof pairResponse>;
/** POST /admin/identity (unauthenticated): the daemon signs a fresh challenge with its identity key. */
export const identityRequest = z.lazy(() =>
  z.strictObject({
    challenge: base64url(43, 128),
    /** The daemon URL the caller is talking to; the daemon signs it only if it is its own. */
    url: z.string().min(1).max(200),
  }),
);
/** `proof` is a compact JWS (ES256, typ `mandate-identity+jwt`) over {challenge, origin, url, iat}. */
export const identityResponse = z.lazy(() => z.object({ proof: z.string().max(2000) }));
export const IDENTITY_PROOF_TYP = 'mandate-identity+jwt';
export const identityClaims = z.lazy(() => z.object({ challenge: z.string(), origin: z.string(), url: z.string(), iat: z.number().int() }));
export type IdentityClaims = z.infer<typeof identityClaims>;
export const pairingCodeResponse = z.lazy(() => z.object({ code: z.string(), expires_at: unixSeconds() }));

export const credentialView = z.lazy(() =>
  z.object({
    id: z.string(),
    label: z.string(),
    kind: z.enum(['cli', 'extension']),
    origin: z.string().nullable(),
    created_at: unixSeconds(),
    last_used_at: unixSeconds().nullable(),
    revoked_at: unixSeconds().nullable(),
  }),
);
export type CredentialView = z.infer<typeof credentialView>;

export const daemonInfo = z.lazy(() =>
  z.object({
    issuer: z.string(),
    person: z.string(),
    version: z.string(),
    data_dir: z.string(),
    credential: credentialView,
  }),
);
export type DaemonInfo = z.infer<typeof daemonInfo>;

// ---- agents (OAuth clients) ----
export const agentCreate = z.lazy(() =>
  z.strictObject({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(CLIENT_KINDS).default('agent'),
    scopes: z.array(scopeToken).max(200).default([]),
    resources: z.array(resourceUri).min(1).max(50),
  }),
);
export type AgentCreate = z.input<typeof agentCreate>;

const agentView = z.lazy(() =>
  z.object({
    client_id: z.string(),
    kind: z.enum(CLIENT_KINDS),
    name: z.string(),
    scopes: z.array(z.string()),
    resources: z.array(z.string()),
    created_at: unixSeconds(),
  }),
);
export type AgentView = z.infer<typeof agentView>;
export const agentCreated = z.lazy(() => agentView.unwrap().extend({ client_secret: z.string() }));
export type AgentCreated = z.infer<typeof agentCreated>;
export const agentList = z.lazy(() => z.object({ agents: z.array(agentView) }));

// ---- grants and pending requests ----
export const grantView = z.lazy(() =>
  z.object({
    id: z.string(),
    status: z.enum(GRANT_STATUSES),
    sub: z.string(),
    agent: z.object({ client_id: z.string(), name: z.string() }),
    resource: z.string(),
    binding_message: z.string().nullable(),
    requested_scope: z.array(z.string()),
    requested_duration: z.number().int().positive(),
    approved_scope: z.array(z.string()).nullable(),
    authorization_details: authorizationDetails.nullable(),
    created_at: unixSeconds(),
    request_expires_at: unixSeconds(),
    decided_at: unixSeconds().nullable(),
    decided_by: z.string().nullable(),
    decided_via: z.string().nullable(),
    expires_at: unixSeconds().nullable(),
    ended_at: unixSeconds().nullable(),
    ended_by: z.string().nullable(),
    last_used_at: unixSeconds().nullable(),
    /**
     * Pending requests only (GET requests): the requested scopes the same agent already holds for the same resource
     * through live grants. A request that repeats some of them is a step-up; the person sees which ones it adds.
     */
    held_scope: z.array(z.string()).optional(),
  }),
);
export type GrantView = z.infer<typeof grantView>;
/** `now` is the daemon's clock, so countdowns are computed against the same time the daemon enforces. */
/** Query of GET /admin/grants and GET /admin/external-grants: live ones, or (all=true) the newest `limit` of any status. */
export const listQuery = z.lazy(() =>
  z.strictObject({
    all: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
  }),
);
export const grantList = z.lazy(() => z.object({ grants: z.array(grantView), now: unixSeconds() }));

export const approveRequest = z.lazy(() =>
  z.strictObject({
    /** Subset of the requested scopes; omitted = everything requested. */
    scope: z.array(scopeToken).min(1).max(200).optional(),
    /** Seconds the delegation lasts from now; omitted = the requested duration. Can only shorten. */
    expires_in: z
      .number()
      .int()
      .positive()
      .max(366 * 86400)
      .optional(),
  }),
);
export const denyRequest = z.lazy(() => z.strictObject({ reason: z.string().max(500).optional() }));
export const revokeAllResponse = z.lazy(() => z.object({ revoked: z.array(z.string()) }));

// ---- external grants (flow D: consent given at a provider to a third-party agent platform) ----
const EXTERNAL_STATUSES = ['pending', 'granted', 'denied', 'blocked', 'expired', 'revoked'] as const;
export type ExternalStatus = (typeof EXTERNAL_STATUSES)[number];
const host = () =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i, 'must be a host name');

export const externalGrantCreate = z.lazy(() =>
  z.strictObject({
    platform: z.string().min(1).max(100),
    provider_host: host(),
    client_id: z.string().min(1).max(500),
    redirect_uri: z.string().min(1).max(2048),
    requested_scope: z.array(scopeToken).max(200),
    allowed_scope: z.array(scopeToken).max(200),
    resource: z.string().max(2048).nullable().default(null),
    authorization_details: z.string().max(16_384).nullable().default(null),
    pkce: z.boolean(),
    /** How long the person lets this delegation live, from now. */
    expires_in: z
      .number()
      .int()
      .positive()
      .max(366 * 86400),
    /** "continue": the request goes to the provider (status pending until the redirect comes back); "block": nothing is sent. */
    decision: z.enum(['continue', 'block']),
  }),
);

export const externalOutcome = z.lazy(() =>
  z.strictObject({
    result: z.enum(['granted', 'denied']),
    /** The OAuth error code from the redirect, when denied. Never the code itself. */
    error: z.string().max(100).optional(),
  }),
);

export const externalGrantView = z.lazy(() =>
  z.object({
    id: z.string(),
    platform: z.string(),
    provider_host: z.string(),
    client_id: z.string(),
    redirect_uri: z.string(),
    requested_scope: z.array(z.string()),
    allowed_scope: z.array(z.string()),
    resource: z.string().nullable(),
    authorization_details: z.string().nullable(),
    pkce: z.boolean(),
    status: z.enum(EXTERNAL_STATUSES),
    created_at: unixSeconds(),
    expires_at: unixSeconds(),
    outcome_at: unixSeconds().nullable(),
    outcome_error: z.string().nullable(),
    ended_at: unixSeconds().nullable(),
  }),
);
export type ExternalGrantView = z.infer<typeof externalGrantView>;
export const externalGrantList = z.lazy(() => z.object({ grants: z.array(externalGrantView), now: unixSeconds() }));

// ---- in-chat approval cards (flow E), as reported by the extension ----
export const CHAT_SITES = ['chatgpt', 'claude'] as const;
export type ChatSite = (typeof CHAT_SITES)[number];
/** One schema for an in-chat card report: the content script sends it without `page_host` (shared/src/protocol.ts). */
export const chatEvent = z.lazy(() =>
  z.strictObject({
    site: z.enum(CHAT_SITES),
    kind: z.enum(['prompt-seen', 'decision', 'adapter-miss']),
    /** The app / connector / MCP server named on the card, as shown. */
    app: z.string().max(200).optional(),
    tool: z.string().max(200).optional(),
    decision: z.enum(['allow', 'always', 'deny']).optional(),
    /** Which selector variant matched, or what was missing, for adapter-miss. */
    detail: z.string().max(300).optional(),
    /** Added by the service worker from the sender's tab, never by the page. */
    page_host: z.string().max(253),
  }),
);
export type ChatEvent = z.infer<typeof chatEvent>;
export const chatEventRecorded = z.lazy(() => z.object({ recorded: z.literal(true) }));

// ---- audit ----
export const AUDIT_OUTCOMES = ['ok', 'refused'] as const;
export const auditEventView = z.lazy(() =>
  z.object({
    id: z.number().int(),
    ts: unixSeconds(),
    type: z.string(),
    person: z.string().nullable(),
    agent: z.string().nullable(),
    resource: z.string().nullable(),
    scopes: z.array(z.string()),
    grant_id: z.string().nullable(),
    decision: z.string().nullable(),
    outcome: z.enum(AUDIT_OUTCOMES),
    detail: z.record(z.string(), z.json()).nullable(),
    hash: z.string(),
  }),
);
export type AuditEventView = z.infer<typeof auditEventView>;
export const auditList = z.lazy(() => z.object({ events: z.array(auditEventView) }));

/** Query-string filters for GET /admin/audit (all strings on the wire). */
export const auditQuery = z.lazy(() =>
  z.strictObject({
    agent: z.string().max(200).optional(),
    resource: z.string().max(2048).optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    type: z.string().max(100).optional(),
    since: z.coerce.number().int().nonnegative().optional(),
    until: z.coerce.number().int().nonnegative().optional(),
    before_id: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(10000).default(200),
  }),
);
export type AuditQuery = z.infer<typeof auditQuery>;

/** GET /admin/audit/verify: full=true re-walks the whole chain instead of starting from the last verified checkpoint. */
export const auditVerifyQuery = z.lazy(() => z.strictObject({ full: z.enum(['true', 'false']).optional() }));
export const auditVerifyResult = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    rows: z.number().int().nonnegative(),
    /** Rows 1..verified_from were verified by an earlier run (signed checkpoint) and only spot-checked; 0 or absent: walked from genesis. */
    verified_from: z.number().int().nonnegative().optional(),
    first_broken: z.object({ id: z.number().int(), reason: z.string() }).nullable(),
  }),
);
export type AuditVerifyResult = z.infer<typeof auditVerifyResult>;

// ---- live updates (SSE on GET /admin/events) ----
export const daemonEvent = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('grant'), grant_id: z.string(), status: z.enum(GRANT_STATUSES) }),
    z.object({ type: z.literal('external'), id: z.string(), status: z.enum(EXTERNAL_STATUSES) }),
    z.object({ type: z.literal('agent'), client_id: z.string() }),
    z.object({ type: z.literal('audit'), id: z.number().int() }),
  ]),
);
export type DaemonEvent = z.infer<typeof daemonEvent>;

export const idParam = z.lazy(id);
