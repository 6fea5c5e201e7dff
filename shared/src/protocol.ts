/**
 * The extension's internal boundary: messages from extension pages (popup, options, activity, review)
 * and content scripts to the service worker, which alone holds the pairing credential and talks to the
 * daemon. Every request is validated here on arrival: a message is untrusted input until parsed.
 */
import { z } from 'zod';
import { auditEventView, auditQuery, auditVerifyResult, externalGrantView, grantView } from './admin-api.js';
import { toolCallList } from './resource-server.js';
import { scopeToken } from './oauth.js';
import { policySchema } from './policy.js';

export const DEFAULT_DAEMON_URL = 'http://127.0.0.1:7457';

/** Loopback daemon URLs only: the extension never sends its credential anywhere else. */
export const daemonUrl = z
  .string()
  .trim()
  .transform((v) => v.replace(/\/+$/, ''))
  .refine((v) => /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/.test(v), 'must be http://127.0.0.1:<port> or http://localhost:<port>');

export const connection = z.discriminatedUnion('state', [
  z.object({ state: z.literal('unpaired') }),
  z.object({ state: z.literal('connecting') }),
  z.object({ state: z.literal('online'), person: z.string(), version: z.string() }),
  z.object({ state: z.literal('offline'), reason: z.string() }),
  z.object({ state: z.literal('rejected'), reason: z.string() }),
  /** Something answers at the daemon's address but cannot prove the identity pinned at pairing: it gets nothing. */
  z.object({ state: z.literal('impostor'), reason: z.string() }),
]);
export type Connection = z.infer<typeof connection>;

export const extensionState = z.object({
  connection,
  daemonUrl: z.string(),
  pending: z.array(grantView),
  active: z.array(grantView),
  history: z.array(grantView),
  /** Delegations given at providers to agent platforms (flow D): live ones, and recent ended ones. */
  external: z.array(externalGrantView),
  externalHistory: z.array(externalGrantView),
  /** The organisation's policy in force (the daemon's merge when reachable, else the browser's own). */
  policy: policySchema,
  /** Daemon clock (unix seconds) when the lists were read, and local Date.now() at that moment. */
  daemonNow: z.number(),
  readAt: z.number(),
});
export type ExtensionState = z.infer<typeof extensionState>;

export const CHAT_SITES = ['chatgpt', 'claude'] as const;
export type ChatSite = (typeof CHAT_SITES)[number];

/** What a content script may say about an in-chat approval card (flow E). Reports only: never a decision in Mandate. */
export const contentReport = z.strictObject({
  site: z.enum(CHAT_SITES),
  kind: z.enum(['prompt-seen', 'decision', 'adapter-miss']),
  /** The app / connector / MCP server named on the card, as shown. */
  app: z.string().max(200).optional(),
  tool: z.string().max(200).optional(),
  decision: z.enum(['allow', 'always', 'deny']).optional(),
  /** Which selector variant matched, or what was missing, for adapter-miss. */
  detail: z.string().max(300).optional(),
});
export type ContentReport = z.infer<typeof contentReport>;

/** What a content script is told to annotate a card with. */
export const contentContext = z.object({
  /** Delegations this site's agent platform holds at providers, as recorded by Mandate (flow D). */
  grants: z.array(
    z.object({
      provider: z.string(),
      scopes: z.array(z.string()),
      expires_at: z.number(),
      status: z.string(),
    }),
  ),
  disableAlwaysAllow: z.boolean(),
  /** Organisation-set reason shown on the card when "Always allow" is disabled. */
  reason: z.string(),
  /** Selector overrides by key (see extension/src/content/selectors.ts), from managed policy. */
  selectorOverrides: z.record(z.string(), z.array(z.string().max(500)).max(10)),
});
export type ContentContext = z.infer<typeof contentContext>;

export const settings = z.object({
  /** Extra redirect patterns (agent platforms) the person added; managed policy adds its own. */
  patterns: z.array(z.string().max(500)).max(100),
  disableAlwaysAllow: z.boolean(),
});
export type Settings = z.infer<typeof settings>;

/** The person's settings, and what the organisation adds on top (shown as "Set by your organisation"). */
export const settingsView = settings.extend({ orgPatterns: z.array(z.string()), orgDisableAlwaysAllow: z.boolean() });
export type SettingsView = z.infer<typeof settingsView>;

/**
 * What the review page is to do with the load it stands in for. `review`: show it (the page parses `url`
 * itself for display, the worker re-parses its own copy when the person decides); `post`: a form whose
 * contents Mandate cannot see, blocked; `load`: not an agent's request, the worker let it through;
 * `continued`: sign-in only, or the next step of a request the person already allowed; `refused`:
 * malformed or hostile, never sent; `blocked`: in a frame, where nothing can be reviewed.
 */
export const interceptOpened = z.discriminatedUnion('action', [
  z.object({ action: z.literal('review'), id: z.string(), url: z.string() }),
  z.object({ action: z.literal('post'), id: z.string(), url: z.string() }),
  z.object({ action: z.literal('load'), url: z.string() }),
  z.object({ action: z.literal('continued'), url: z.string(), reason: z.string() }),
  z.object({ action: z.literal('refused'), reason: z.string() }),
  z.object({ action: z.literal('blocked'), reason: z.string() }),
  z.object({ action: z.literal('none') }),
]);
export type InterceptOpened = z.infer<typeof interceptOpened>;

/** Request schemas by message type. The service worker parses `payload` with these before acting. */
export const requests = {
  'state.get': z.strictObject({}),
  'settings.setDaemonUrl': z.strictObject({ daemonUrl }),
  pair: z.strictObject({ code: z.string().trim().min(1).max(64), daemonUrl }),
  unpair: z.strictObject({}),
  'requests.approve': z.strictObject({
    id: z.string().min(1).max(200),
    scope: z.array(scopeToken).min(1).max(200),
    expires_in: z.number().int().positive(),
  }),
  'requests.deny': z.strictObject({ id: z.string().min(1).max(200) }),
  'grants.revoke': z.strictObject({ id: z.string().min(1).max(200) }),
  'grants.revokeAll': z.strictObject({}),
  'audit.query': auditQuery,
  'audit.verify': z.strictObject({}),
  'grants.toolCalls': z.strictObject({ id: z.string().min(1).max(200) }),
  'content.report': contentReport,
  'content.context': z.strictObject({ site: z.enum(CHAT_SITES) }),
  'settings.get': z.strictObject({}),
  'settings.update': z.strictObject({ patterns: settings.shape.patterns.optional(), disableAlwaysAllow: z.boolean().optional() }),
  /**
   * From the review page (flow D), as it opens: what did this tab (or frame) try to load? The service
   * worker answers from what it observed itself (webNavigation), never from the page's own address.
   */
  'intercept.open': z.strictObject({ via: z.enum(['get', 'post']) }),
  /** From the review page: the person's decision on the review it was given, by id (single use). */
  'intercept.decide': z.strictObject({
    id: z.string().min(1).max(64),
    decision: z.enum(['continue', 'block']),
    scope: z.array(z.string().max(500)).max(200),
    expires_in: z
      .number()
      .int()
      .positive()
      .max(366 * 86400),
  }),
  'externals.revoke': z.strictObject({ id: z.string().min(1).max(200) }),
} as const;

export const responses = {
  'state.get': extensionState,
  'settings.setDaemonUrl': extensionState,
  pair: extensionState,
  unpair: extensionState,
  'requests.approve': grantView,
  'requests.deny': grantView,
  'grants.revoke': grantView,
  'grants.revokeAll': z.object({ revoked: z.array(z.string()) }),
  'audit.query': z.object({ events: z.array(auditEventView) }),
  'audit.verify': auditVerifyResult,
  'grants.toolCalls': toolCallList,
  'content.report': z.object({ recorded: z.boolean() }),
  'content.context': contentContext,
  'settings.get': settingsView,
  'settings.update': settingsView,
  'intercept.open': interceptOpened,
  'intercept.decide': z.object({ status: z.enum(['continued', 'blocked']), external_id: z.string() }),
  'externals.revoke': externalGrantView,
} as const satisfies Record<keyof typeof requests, z.ZodType>;

export type MessageType = keyof typeof requests;
export type RequestOf<T extends MessageType> = z.input<(typeof requests)[T]>;
export type ResponseOf<T extends MessageType> = z.infer<(typeof responses)[T]>;

/** What travels over runtime messaging: thrown errors do not cross it, so failures are values. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

export const envelope = z.strictObject({ type: z.string().max(64), payload: z.unknown() });

/** Port name the popup and other pages use to receive state pushes. */
export const STATE_PORT = 'mandate-state';
