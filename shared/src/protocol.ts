/**
 * The extension's internal boundary: messages from extension pages (popup, options, activity, review)
 * and content scripts to the service worker, which alone holds the pairing credential and talks to the
 * daemon. Every request is validated here on arrival: a message is untrusted input until parsed.
 */
import * as z from 'zod';
import { CHAT_SITES, auditEventView, auditQuery, auditVerifyResult, chatEvent, externalGrantView, grantView } from './admin-api.js';
import { OAUTH_ERROR_CODES } from './errors.js';
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

export const connection = z.lazy(() =>
  z.discriminatedUnion('state', [
    z.object({ state: z.literal('unpaired') }),
    z.object({ state: z.literal('connecting') }),
    z.object({ state: z.literal('online'), person: z.string(), version: z.string() }),
    z.object({ state: z.literal('offline'), reason: z.string() }),
    z.object({ state: z.literal('rejected'), reason: z.string() }),
    /** Something answers at the daemon's address but cannot prove the identity pinned at pairing: it gets nothing. */
    z.object({ state: z.literal('impostor'), reason: z.string() }),
  ]),
);
export type Connection = z.infer<typeof connection>;

export const extensionState = z.lazy(() =>
  z.object({
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
  }),
);
export type ExtensionState = z.infer<typeof extensionState>;

export { CHAT_SITES, type ChatSite } from './admin-api.js';

/**
 * What a content script may say about an in-chat approval card (flow E). Reports only: never a decision in
 * Mandate. The daemon's `chatEvent` without `page_host`, which the service worker adds from the sender.
 */
export const contentReport = z.lazy(() => chatEvent.unwrap().omit({ page_host: true }));
export type ContentReport = z.infer<typeof contentReport>;

/** What a content script is told to annotate a card with. */
export const contentContext = z.lazy(() =>
  z.object({
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
  }),
);
export type ContentContext = z.infer<typeof contentContext>;

export const settings = z.object({
  /** Extra redirect patterns (agent platforms) the person added; managed policy adds its own. */
  patterns: z.array(z.string().max(500)).max(100),
  disableAlwaysAllow: z.boolean(),
});
export type Settings = z.infer<typeof settings>;

/** The person's settings, and what the organisation adds on top (shown as "Set by your organisation"). */
export const settingsView = z.lazy(() => settings.extend({ orgPatterns: z.array(z.string()), orgDisableAlwaysAllow: z.boolean() }));
export type SettingsView = z.infer<typeof settingsView>;

/**
 * What the review page is to do with the load it stands in for. `review`: show it (the page parses `url`
 * itself for display, the worker re-parses its own copy when the person decides); `post`: a form whose
 * contents Mandate cannot see, blocked; `load`: not an agent's request, the worker let it through;
 * `continued`: sign-in only, or the next step of a request the person already allowed; `refused`:
 * malformed or hostile, never sent; `blocked`: in a frame, where nothing can be reviewed.
 */
export const interceptOpened = z.lazy(() =>
  z.discriminatedUnion('action', [
    z.object({ action: z.literal('review'), id: z.string(), url: z.string() }),
    z.object({ action: z.literal('post'), id: z.string(), url: z.string() }),
    z.object({ action: z.literal('load'), url: z.string() }),
    z.object({ action: z.literal('continued'), url: z.string(), reason: z.string() }),
    z.object({ action: z.literal('refused'), reason: z.string() }),
    z.object({ action: z.literal('blocked'), reason: z.string() }),
    z.object({ action: z.literal('none') }),
  ]),
);
export type InterceptOpened = z.infer<typeof interceptOpened>;

/** Who may send a message, classified from browser-set fields (extension/src/background/sender-policy.ts). */
export const SENDER_KINDS = ['extension-page', 'content-script', 'foreign'] as const;
export type SenderKind = (typeof SENDER_KINDS)[number];
/** Senders a message may name: nothing is ever allowed to a foreign sender. */
type AllowedSender = Exclude<SenderKind, 'foreign'>;

/** One message: what it carries, what it answers, and who may send it. All three are required. */
export interface MessageContract {
  request: z.ZodType;
  response: z.ZodType;
  senders: readonly [AllowedSender, ...AllowedSender[]];
}

/** Extension pages: the popup, options, activity and review pages (our own origin). */
const PAGES = ['extension-page'] as const;
/** Content scripts run inside chat pages: they may report what they see and ask what to annotate. Nothing else. */
const CONTENT = ['content-script'] as const;

const id = z.string().min(1).max(200);

/**
 * Every message the service worker answers. It parses `payload` with `request` before acting, refuses a
 * sender not in `senders`, and pages parse the answer with `response`.
 */
export const messages = {
  'state.get': { request: z.strictObject({}), response: extensionState, senders: PAGES },
  'settings.setDaemonUrl': { request: z.strictObject({ daemonUrl }), response: extensionState, senders: PAGES },
  pair: { request: z.strictObject({ code: z.string().trim().min(1).max(64), daemonUrl }), response: extensionState, senders: PAGES },
  unpair: { request: z.strictObject({}), response: extensionState, senders: PAGES },
  'requests.approve': {
    request: z.strictObject({ id, scope: z.array(scopeToken).min(1).max(200), expires_in: z.number().int().positive() }),
    response: grantView,
    senders: PAGES,
  },
  'requests.deny': { request: z.strictObject({ id }), response: grantView, senders: PAGES },
  'grants.revoke': { request: z.strictObject({ id }), response: grantView, senders: PAGES },
  'grants.revokeAll': { request: z.strictObject({}), response: z.object({ revoked: z.array(z.string()) }), senders: PAGES },
  'audit.query': { request: auditQuery, response: z.object({ events: z.array(auditEventView) }), senders: PAGES },
  'audit.verify': { request: z.strictObject({}), response: auditVerifyResult, senders: PAGES },
  /** The last tool calls resource servers reported for one grant (popup card, Activity timeline). */
  'grants.toolCalls': { request: z.strictObject({ id }), response: toolCallList, senders: PAGES },
  'content.report': { request: contentReport, response: z.object({ recorded: z.boolean() }), senders: CONTENT },
  'content.context': { request: z.strictObject({ site: z.enum(CHAT_SITES) }), response: contentContext, senders: CONTENT },
  'settings.get': { request: z.strictObject({}), response: settingsView, senders: PAGES },
  'settings.update': {
    request: z.strictObject({ patterns: settings.shape.patterns.optional(), disableAlwaysAllow: z.boolean().optional() }),
    response: settingsView,
    senders: PAGES,
  },
  /**
   * From the review page (flow D), as it opens: what did this tab (or frame) try to load? The service
   * worker answers from what it observed itself (webNavigation), never from the page's own address.
   */
  'intercept.open': { request: z.strictObject({ via: z.enum(['get', 'post']) }), response: interceptOpened, senders: PAGES },
  /** From the review page: the person's decision on the review it was given, by id (single use). */
  'intercept.decide': {
    request: z.strictObject({
      id: z.string().min(1).max(64),
      decision: z.enum(['continue', 'block']),
      scope: z.array(z.string().max(500)).max(200),
      expires_in: z
        .number()
        .int()
        .positive()
        .max(366 * 86400),
    }),
    response: z.object({ status: z.enum(['continued', 'blocked']), external_id: z.string() }),
    senders: PAGES,
  },
  'externals.revoke': { request: z.strictObject({ id }), response: externalGrantView, senders: PAGES },
} as const satisfies Record<string, MessageContract>;

export type MessageType = keyof typeof messages;
export type RequestOf<T extends MessageType> = z.input<(typeof messages)[T]['request']>;
export type ResponseOf<T extends MessageType> = z.infer<(typeof messages)[T]['response']>;

export const isMessageType = (type: string): type is MessageType => Object.hasOwn(messages, type);

/** Whether `kind` may send `type`; unknown types and foreign senders never may. */
export function senderMay(kind: SenderKind, type: string): boolean {
  if (kind === 'foreign' || !isMessageType(type)) return false;
  const senders: readonly SenderKind[] = messages[type].senders;
  return senders.includes(kind);
}

/**
 * Why the service worker refused or failed a message: the daemon's own codes (passed through), and the
 * extension's: `invalid_message` (not `{type, payload}`), `forbidden` (this sender may not ask), `unreachable`,
 * `unpaired`, `impostor` (see daemon-identity.ts), `bad_response` (the daemon's answer did not parse),
 * `no_reply` (the worker did not answer), `internal` (a bug: please report it).
 */
export const REPLY_ERROR_CODES = [
  ...OAUTH_ERROR_CODES,
  'invalid_message',
  'forbidden',
  'unreachable',
  'unpaired',
  'impostor',
  'bad_response',
  'no_reply',
  'internal',
] as const;
export type ReplyErrorCode = (typeof REPLY_ERROR_CODES)[number];
export const replyErrorCode = z.enum(REPLY_ERROR_CODES);
export const isReplyErrorCode = (code: string): code is ReplyErrorCode => (REPLY_ERROR_CODES as readonly string[]).includes(code);

/** What travels over runtime messaging: thrown errors do not cross it, so failures are values. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: ReplyErrorCode; message: string } };
export const reply = z.lazy(() =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value: z.unknown() }),
    z.object({ ok: z.literal(false), error: z.object({ code: replyErrorCode, message: z.string() }) }),
  ]),
);

export const envelope = z.lazy(() => z.strictObject({ type: z.string().max(64), payload: z.unknown() }));

/** Port name the popup and other pages use to receive state pushes. */
export const STATE_PORT = 'mandate-state';
