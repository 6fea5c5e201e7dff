/**
 * The admin API, defined once: every endpoint's method, path (with typed `:params`), body, query and response
 * schemas. The daemon registers its /admin routes from this table (daemon/src/admin/adapter.ts) and every
 * client calls through `adminClient` (admin-client.ts). No admin path string exists anywhere else.
 */
import * as z from 'zod';
import {
  agentCreate,
  agentCreated,
  agentList,
  approveRequest,
  auditList,
  auditQuery,
  auditVerifyQuery,
  auditVerifyResult,
  chatEvent,
  chatEventRecorded,
  credentialView,
  daemonEvent,
  daemonInfo,
  denyRequest,
  externalGrantCreate,
  externalGrantList,
  externalGrantView,
  externalOutcome,
  grantList,
  grantView,
  identityRequest,
  identityResponse,
  listQuery,
  pairingCodeResponse,
  pairRequest,
  pairResponse,
  revokeAllResponse,
} from './admin-api.js';
import { policySchema } from './policy.js';
import { toolCallList } from './resource-server.js';

export const ADMIN_PREFIX = '/admin';

/** Bodies that must be `{}` (or empty): state changes that carry nothing but still go out as JSON. */
const emptyBody = z.lazy(() => z.strictObject({}));
export const policyView = z.lazy(() =>
  z.object({
    path: z.string().nullable(),
    file: policySchema,
    browser: policySchema,
    effective: policySchema,
  }),
);
export type PolicyView = z.infer<typeof policyView>;
const browserPolicyPush = z.lazy(() => z.strictObject({ policy: policySchema }));
const toolCallsQuery = z.lazy(() => z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }));
const credentialList = z.lazy(() => z.object({ credentials: z.array(credentialView) }));
const credentialRevoked = z.lazy(() => z.object({ revoked: z.literal(true) }));
const agentRemoved = z.lazy(() => z.object({ revoked: z.array(z.string()) }));

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

interface AdminEndpoint {
  method: HttpMethod;
  /** Relative to ADMIN_PREFIX; `:name` segments are path parameters. */
  path: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The JSON answer; for a stream (`stream: true`), the schema of each event's data. */
  response: z.ZodType;
  /** 200 unless stated. */
  status?: 200 | 201;
  /** false only for pairing and the identity challenge; everything else needs the admin credential. */
  auth: boolean;
  stream?: true;
}

const endpoint = <const E extends AdminEndpoint>(e: E): E => e;

export const ADMIN_ENDPOINTS = {
  pair: endpoint({ method: 'POST', path: '/pair', body: pairRequest, response: pairResponse, auth: false }),
  identity: endpoint({ method: 'POST', path: '/identity', body: identityRequest, response: identityResponse, auth: false }),
  session: endpoint({ method: 'GET', path: '/session', response: daemonInfo, auth: true }),
  'pairingCodes.create': endpoint({ method: 'POST', path: '/pairing-codes', body: emptyBody, response: pairingCodeResponse, auth: true }),
  'credentials.list': endpoint({ method: 'GET', path: '/credentials', response: credentialList, auth: true }),
  'credentials.revoke': endpoint({ method: 'DELETE', path: '/credentials/:id', response: credentialRevoked, auth: true }),
  'requests.list': endpoint({ method: 'GET', path: '/requests', response: grantList, auth: true }),
  'requests.approve': endpoint({ method: 'POST', path: '/requests/:id/approve', body: approveRequest, response: grantView, auth: true }),
  'requests.deny': endpoint({ method: 'POST', path: '/requests/:id/deny', body: denyRequest, response: grantView, auth: true }),
  'grants.list': endpoint({ method: 'GET', path: '/grants', query: listQuery, response: grantList, auth: true }),
  'grants.get': endpoint({ method: 'GET', path: '/grants/:id', response: grantView, auth: true }),
  'grants.revokeAll': endpoint({ method: 'POST', path: '/grants/revoke-all', body: emptyBody, response: revokeAllResponse, auth: true }),
  'grants.revoke': endpoint({ method: 'POST', path: '/grants/:id/revoke', body: emptyBody, response: grantView, auth: true }),
  /** The tool calls resource servers reported for one grant, newest first (popup card, Activity timeline). */
  'grants.toolCalls': endpoint({ method: 'GET', path: '/grants/:id/tool-calls', query: toolCallsQuery, response: toolCallList, auth: true }),
  'agents.list': endpoint({ method: 'GET', path: '/agents', response: agentList, auth: true }),
  'agents.create': endpoint({ method: 'POST', path: '/agents', body: agentCreate, response: agentCreated, status: 201, auth: true }),
  'agents.remove': endpoint({ method: 'DELETE', path: '/agents/:id', response: agentRemoved, auth: true }),
  'external.list': endpoint({ method: 'GET', path: '/external-grants', query: listQuery, response: externalGrantList, auth: true }),
  'external.create': endpoint({
    method: 'POST',
    path: '/external-grants',
    body: externalGrantCreate,
    response: externalGrantView,
    status: 201,
    auth: true,
  }),
  'external.outcome': endpoint({ method: 'POST', path: '/external-grants/:id/outcome', body: externalOutcome, response: externalGrantView, auth: true }),
  'external.revoke': endpoint({ method: 'POST', path: '/external-grants/:id/revoke', body: emptyBody, response: externalGrantView, auth: true }),
  'chat.record': endpoint({ method: 'POST', path: '/chat-events', body: chatEvent, response: chatEventRecorded, status: 201, auth: true }),
  'audit.list': endpoint({ method: 'GET', path: '/audit', query: auditQuery, response: auditList, auth: true }),
  'audit.verify': endpoint({ method: 'GET', path: '/audit/verify', query: auditVerifyQuery, response: auditVerifyResult, auth: true }),
  'policy.get': endpoint({ method: 'GET', path: '/policy', response: policyView, auth: true }),
  'policy.pushBrowser': endpoint({ method: 'POST', path: '/policy/browser', body: browserPolicyPush, response: policyView, auth: true }),
  events: endpoint({ method: 'GET', path: '/events', response: daemonEvent, auth: true, stream: true }),
} as const satisfies Record<string, AdminEndpoint>;

export type AdminEndpoints = typeof ADMIN_ENDPOINTS;
export type AdminName = keyof AdminEndpoints;
/** The endpoints answered with one JSON body (everything but the event stream). */
export type AdminCallName = { [N in AdminName]: AdminEndpoints[N] extends { stream: true } ? never : N }[AdminName];

/** `'/grants/:id/revoke'` → `'id'`. */
type ParamKeys<P extends string> = P extends `${string}:${infer K}/${infer Rest}` ? K | ParamKeys<`/${Rest}`> : P extends `${string}:${infer K}` ? K : never;
export type AdminParams<N extends AdminName> = { [K in ParamKeys<AdminEndpoints[N]['path']>]: string };

type SchemaOf<E, K extends string> = E extends { [P in K]: infer S extends z.ZodType } ? S : undefined;
export type AdminBody<N extends AdminName> = SchemaOf<AdminEndpoints[N], 'body'> extends infer S extends z.ZodType ? z.input<S> : undefined;
/** Query values go out as strings (numbers and booleans written as such); the daemon parses them with the schema. */
export type AdminQuery<N extends AdminName> = SchemaOf<AdminEndpoints[N], 'query'> extends infer S extends z.ZodType ? z.input<S> : undefined;
export type AdminResponse<N extends AdminName> = z.infer<AdminEndpoints[N]['response']>;

/** The path of endpoint `name` below the host, with its parameters filled in and encoded: `/admin/grants/g_1/revoke`. */
export function adminPath<N extends AdminName>(name: N, ...[params]: keyof AdminParams<N> extends never ? [] : [AdminParams<N>]): string {
  const values: Record<string, string> = params ?? {};
  const filled = ADMIN_ENDPOINTS[name].path.replace(/:([a-z_]+)/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new TypeError(`adminPath(${name}): missing parameter ${key}`);
    return encodeURIComponent(v);
  });
  return ADMIN_PREFIX + filled;
}
