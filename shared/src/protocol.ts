/**
 * The extension's internal boundary: messages from extension pages (popup, options, activity, review)
 * and content scripts to the service worker, which alone holds the pairing credential and talks to the
 * daemon. Every request is validated here on arrival: a message is untrusted input until parsed.
 */
import { z } from 'zod';
import { auditEventView, auditQuery, auditVerifyResult, grantView } from './admin-api.js';
import { scopeToken } from './oauth.js';

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
]);
export type Connection = z.infer<typeof connection>;

export const extensionState = z.object({
  connection,
  daemonUrl: z.string(),
  pending: z.array(grantView),
  active: z.array(grantView),
  history: z.array(grantView),
  /** Daemon clock (unix seconds) when the lists were read, and local Date.now() at that moment. */
  daemonNow: z.number(),
  readAt: z.number(),
});
export type ExtensionState = z.infer<typeof extensionState>;

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
} as const satisfies Record<keyof typeof requests, z.ZodType>;

export type MessageType = keyof typeof requests;
export type RequestOf<T extends MessageType> = z.input<(typeof requests)[T]>;
export type ResponseOf<T extends MessageType> = z.infer<(typeof responses)[T]>;

/** What travels over runtime messaging: thrown errors do not cross it, so failures are values. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

export const envelope = z.strictObject({ type: z.string().max(64), payload: z.unknown() });

/** Port name the popup and other pages use to receive state pushes. */
export const STATE_PORT = 'mandate-state';
