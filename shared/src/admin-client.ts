/**
 * The one typed client of the admin API (CLI, extension service worker, tests, e2e fixtures):
 * `adminClient(fetch, base, auth).call('grants.revoke', { id })`. Paths come from the contract, answers are
 * parsed with the endpoint's response schema, and every failure is an AdminCallError.
 */
import {
  ADMIN_ENDPOINTS,
  type AdminBody,
  type AdminCallName,
  type AdminName,
  type AdminParams,
  type AdminQuery,
  type AdminResponse,
  adminPath,
  type HttpMethod,
} from './admin-contract.js';
import type * as z from 'zod';
import { MandateError, type MandateErrorCode } from './errors.js';
import { oauthErrorBody } from './oauth.js';

/** What a call sends: `fetch` takes it, and so does the CLI's loopback transport (daemon/src/cli/loopback-http.ts). */
export interface AdminRequestInit {
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}
/** What a call reads of the answer: a `Response` has it. */
export interface AdminAnswer {
  status: number;
  ok: boolean;
  text(): Promise<string>;
}
export type FetchLike = (url: string, init: AdminRequestInit) => Promise<AdminAnswer>;
/** Headers that authenticate one request (a bearer credential, or a DPoP credential and its fresh proof). */
export type AdminAuth = (method: HttpMethod, url: string) => Record<string, string> | Promise<Record<string, string>>;

export interface CallOptions {
  signal?: AbortSignal;
  /** Extra headers (e.g. Origin for the extension's pairing in tests). */
  headers?: Record<string, string>;
}

/** A failed admin call: unreachable, refused (with the daemon's OAuth error body), or an answer outside the contract. */
export class AdminCallError extends MandateError {
  override name = 'AdminCallError';
  constructor(
    override readonly code: Extract<MandateErrorCode, 'daemon_unreachable' | 'daemon_refused' | 'bad_response'>,
    message: string,
    readonly status: number | undefined,
    /** The daemon's `{error, error_description}`, when it refused. */
    readonly oauth: z.infer<typeof oauthErrorBody> | undefined,
    detail?: string,
  ) {
    super(code, message, detail);
  }
}

type ParamArgs<N extends AdminName> = keyof AdminParams<N> extends never ? [] : [params: AdminParams<N>];
type PayloadArgs<N extends AdminName> =
  AdminBody<N> extends undefined
    ? AdminQuery<N> extends undefined
      ? []
      : [query?: AdminQuery<N>]
    : Record<string, never> extends AdminBody<N>
      ? [body?: AdminBody<N>]
      : [body: AdminBody<N>];
/** Positional arguments of `call(name, …)`: path parameters if any, then the body (or query), then options. */
export type CallArgs<N extends AdminName> = [...ParamArgs<N>, ...PayloadArgs<N>, options?: CallOptions];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function queryString(query: unknown): string {
  if (!isObject(query)) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params.set(k, String(v));
    else if (v !== undefined) throw new TypeError(`query parameter ${k} must be a string, number or boolean`);
  }
  return params.size ? `?${params}` : '';
}

export function adminClient(fetchLike: FetchLike, base: string, auth?: AdminAuth) {
  /** The absolute URL of an endpoint (e.g. the event stream, read with the shared SSE parser). */
  function url<N extends AdminName>(name: N, ...params: ParamArgs<N>): string {
    return base + adminPath(name, ...params);
  }

  async function call<N extends AdminCallName>(name: N, ...args: CallArgs<N>): Promise<AdminResponse<N>> {
    const e = ADMIN_ENDPOINTS[name];
    const rest: unknown[] = args;
    let i = 0;
    const params = e.path.includes(':') ? rest[i++] : undefined;
    const hasBody = 'body' in e;
    const payload = hasBody || 'query' in e ? rest[i++] : undefined;
    const options: CallOptions = isObject(rest[i]) ? (rest[i] as CallOptions) : {};
    const path = (adminPath as (n: AdminName, p?: unknown) => string)(name, params);
    const target = base + path + (hasBody ? '' : queryString(payload));
    const body = hasBody ? JSON.stringify(payload ?? {}) : undefined;
    let res: AdminAnswer;
    try {
      res = await fetchLike(target, {
        method: e.method,
        headers: {
          ...(auth ? await auth(e.method, target) : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(body !== undefined ? { body } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (err) {
      throw new AdminCallError('daemon_unreachable', `the Mandate daemon is not answering at ${base}`, undefined, undefined, String(err));
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AdminCallError('bad_response', `the daemon answered ${res.status} with something that is not JSON`, res.status, undefined, text.slice(0, 200));
    }
    if (!res.ok) {
      const err = oauthErrorBody.safeParse(json);
      if (!err.success) throw new AdminCallError('bad_response', `the daemon answered ${res.status}`, res.status, undefined, text.slice(0, 200));
      throw new AdminCallError('daemon_refused', err.data.error_description ?? err.data.error, res.status, err.data);
    }
    const parsed = e.response.safeParse(json);
    if (!parsed.success) {
      throw new AdminCallError('bad_response', `unexpected answer from the daemon for ${name}`, res.status, undefined, parsed.error.issues[0]?.message);
    }
    return parsed.data as AdminResponse<N>;
  }

  return { call, url };
}
export type AdminClient = ReturnType<typeof adminClient>;
