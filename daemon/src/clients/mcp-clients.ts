import { clientIdMetadataDocument, clientMetadata, parseScope, type ClientMetadata, type RegistrationResponse } from '#shared/oauth.js';
import { textProblem } from '#shared/text.js';
import type { DaemonContext } from '../context.js';
import { randomId, randomSecret, sha256 } from '../crypto.js';
import { OAuthError } from '../http/errors.js';
import { tokenBucket } from '../http/rate-limit.js';
import type { ClientRecord } from '../store/clients.repo.js';
import { registrationsRepo, type RegistrationRecord } from '../store/registrations.repo.js';
import { FetchRefused, fetchPublicJson, type FetchLimits } from './fetch-limited.js';

export interface McpClientOptions {
  /** Client ID metadata documents: size, time and (tests only) http loopback. */
  metadataFetch: FetchLimits;
  /** How long a fetched document is trusted before it is fetched again. */
  metadataCacheSeconds: number;
  /** A dynamically registered client unused this long (and with nothing live) is removed. */
  unusedClientSeconds: number;
  /** Registrations allowed at once, then one more every `registrationRefillSeconds`. */
  registrationBurst: number;
  registrationRefillSeconds: number;
  /** Most dynamically registered clients kept at once. */
  maxDynamicClients: number;
}

export const DEFAULT_MCP_CLIENT_OPTIONS: McpClientOptions = {
  metadataFetch: { maxBytes: 5 * 1024, timeoutMs: 5000, allowHttpLoopback: false },
  metadataCacheSeconds: 3600,
  unusedClientSeconds: 30 * 24 * 3600,
  registrationBurst: 10,
  registrationRefillSeconds: 60,
  maxDynamicClients: 200,
};

export interface McpClient {
  client: ClientRecord;
  registration: RegistrationRecord;
}

const invalidClient = (why: string) => new OAuthError(400, 'invalid_client', why);
const badMetadata = (why: string) => new OAuthError(400, 'invalid_client_metadata', why);

/** The only grants and response types these clients get; anything else asked for is refused. */
const GRANT_TYPES = ['authorization_code', 'refresh_token'];
const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'];

/** A name the person reads on every card: one text policy, and marked as claimed. */
function shownName(meta: ClientMetadata, fallback: string): string {
  const name = meta.client_name ?? fallback;
  const problem = textProblem(name);
  if (problem !== undefined) throw badMetadata(`client_name ${problem}`);
  return name;
}

function checkMetadata(meta: ClientMetadata): void {
  for (const g of meta.grant_types ?? []) if (!GRANT_TYPES.includes(g)) throw badMetadata(`grant type ${g.slice(0, 60)} is not offered to MCP clients`);
  for (const r of meta.response_types ?? []) if (r !== 'code') throw badMetadata('only response_type code is supported');
  if (meta.token_endpoint_auth_method !== undefined && !AUTH_METHODS.includes(meta.token_endpoint_auth_method)) {
    throw badMetadata(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  }
  if (meta.scope !== undefined) {
    try {
      parseScope(meta.scope);
    } catch {
      throw badMetadata('scope is not a valid scope list');
    }
  }
}

/** The registered resources: every resource a resource server was added for. */
const resourcesMemo = new WeakMap<DaemonContext['clients'], { generation: number; value: ReadonlyMap<string, readonly string[]> }>();

/**
 * The resources the registered resource servers serve, with the scopes each lists. Read on every metadata
 * and authorization request, so it is recomputed only when the clients table changed (ClientsRepo.generation).
 */
export function registeredResources(ctx: DaemonContext): ReadonlyMap<string, readonly string[]> {
  const generation = ctx.clients.generation();
  const memo = resourcesMemo.get(ctx.clients);
  if (memo?.generation === generation) return memo.value;
  const out = new Map<string, string[]>();
  for (const c of ctx.clients.list()) {
    if (c.kind !== 'resource_server') continue;
    for (const r of c.resources) out.set(r, [...new Set([...(out.get(r) ?? []), ...c.scopes])]);
  }
  resourcesMemo.set(ctx.clients, { generation, value: out });
  return out;
}

/** The registration row of a client, from the metadata it presented (a metadata document or an RFC 7591 body). */
function registration(
  clientId: string,
  source: RegistrationRecord['source'],
  isPublic: boolean,
  meta: { client_name?: string | undefined; redirect_uris: string[]; logo_uri?: string | undefined; client_uri?: string | undefined },
  fetchedAt: number | null,
  now: number,
): Omit<RegistrationRecord, 'last_used_at'> {
  return {
    client_id: clientId,
    source,
    public: isPublic,
    client_name: meta.client_name ?? null,
    redirect_uris: meta.redirect_uris,
    logo_uri: meta.logo_uri ?? null,
    client_uri: meta.client_uri ?? null,
    fetched_at: fetchedAt,
    created_at: now,
  };
}

/**
 * MCP clients that are not added by hand: client ID metadata documents (an https client_id, fetched with
 * limits and cached) and RFC 7591 dynamic registration (rate-limited, removed when unused).
 */
export function mcpClients(ctx: DaemonContext, opts: McpClientOptions) {
  const repo = registrationsRepo(ctx.db);
  const bucket = tokenBucket(opts.registrationBurst, 1 / opts.registrationRefillSeconds, ctx.clock, 1);

  // lookup() runs on every /token request: its answers are remembered until a client is added, removed or
  // registered (the clients generation), and only for ids of existing clients, so arbitrary ids cannot grow it.
  const known = new Map<string, McpClient | null>();
  let knownAt = -1;
  function lookup(clientId: string): McpClient | undefined {
    if (knownAt !== ctx.clients.generation()) {
      known.clear();
      knownAt = ctx.clients.generation();
    }
    const hit = known.get(clientId);
    if (hit !== undefined) return hit ?? undefined;
    const client = ctx.clients.get(clientId);
    if (client === undefined) return undefined;
    const registration = repo.get(clientId);
    const found = registration ? { client, registration } : undefined;
    known.set(clientId, found ?? null);
    return found;
  }
  /** Saves a registration (and its client row) in one transaction, then lets the cached client records go. */
  function save(...args: Parameters<typeof repo.save>): void {
    ctx.tx.transact(() => repo.save(...args));
    ctx.clients.changedElsewhere();
  }

  async function fromDocument(clientId: string): Promise<McpClient> {
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      throw invalidClient('client_id is not a registered client or a client metadata document URL');
    }
    if (clientId.length > 200) throw invalidClient('client metadata document URLs longer than 200 characters are not accepted');
    if (url.hash !== '' || url.username !== '' || url.password !== '' || url.pathname === '/') {
      throw invalidClient('a client metadata document URL needs a path and no fragment or credentials');
    }
    const cached = lookup(clientId);
    const now = ctx.clock();
    if (cached?.registration.source === 'metadata_document' && (cached.registration.fetched_at ?? 0) + opts.metadataCacheSeconds > now) return cached;
    let json: unknown;
    try {
      json = await fetchPublicJson(url, opts.metadataFetch);
    } catch (e) {
      if (e instanceof FetchRefused) throw invalidClient(`client metadata document refused: ${e.message}`);
      throw e;
    }
    const parsed = clientIdMetadataDocument.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidClient(`client metadata document: ${issue.path.join('.') || 'document'}: ${issue.message}`);
    }
    const doc = parsed.data;
    if (doc.client_id !== clientId) throw invalidClient('client metadata document names a different client_id than its own URL');
    if ('client_secret' in (json as object)) throw invalidClient('a client metadata document must not contain a client_secret');
    if (doc.token_endpoint_auth_method !== undefined && doc.token_endpoint_auth_method !== 'none') {
      throw invalidClient('client metadata document clients are public: token_endpoint_auth_method must be none');
    }
    let name: string;
    try {
      checkMetadata(doc);
      name = `${shownName(doc, url.host)} (claimed by ${url.host}, not verified)`;
    } catch (e) {
      if (e instanceof OAuthError) throw invalidClient(`client metadata document: ${e.description}`);
      throw e;
    }
    save(registration(clientId, 'metadata_document', true, doc, now, now), name, sha256(randomSecret('unused_')));
    return lookup(clientId)!;
  }

  /** The client an /authorize or /token request names; a URL client_id is fetched as a metadata document. */
  async function resolve(clientId: string): Promise<McpClient> {
    if (clientId.length > 2000) throw invalidClient('client_id is too long');
    const known = lookup(clientId);
    if (known?.registration.source === 'dynamic') return known;
    if (/^https?:\/\//i.test(clientId)) return fromDocument(clientId);
    if (ctx.clients.get(clientId)) {
      throw new OAuthError(400, 'unauthorized_client', 'this agent was added with `mandate agents add` and has no redirect URIs; it uses CIBA');
    }
    throw invalidClient('unknown client_id');
  }

  function registrationAllowed(): boolean {
    return ctx.policy.effective().allowClientRegistration !== false;
  }

  /** RFC 7591 registration: public (PKCE, no secret) unless the client asks for a secret. */
  function register(body: unknown): RegistrationResponse {
    if (!registrationAllowed()) throw new OAuthError(403, 'access_denied', 'dynamic client registration is turned off (set by your organisation)');
    if (!bucket.take('register')) {
      throw new OAuthError(429, 'temporarily_unavailable', 'too many registrations; retry later', { 'Retry-After': String(opts.registrationRefillSeconds) });
    }
    const parsed = clientMetadata.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      throw new OAuthError(400, field.startsWith('redirect_uris') ? 'invalid_redirect_uri' : 'invalid_client_metadata', `${field || 'body'}: ${issue.message}`);
    }
    const meta = parsed.data;
    checkMetadata(meta);
    if (repo.countDynamic() >= opts.maxDynamicClients) {
      throw new OAuthError(429, 'temporarily_unavailable', `already ${opts.maxDynamicClients} registered clients; unused ones are removed after a while`);
    }
    const method = meta.token_endpoint_auth_method ?? 'none';
    const now = ctx.clock();
    const clientId = randomId('mcp_');
    const secret = method === 'none' ? undefined : randomSecret('mcs_');
    const name = `${shownName(meta, 'Unnamed MCP client')} (registered itself, not verified)`;
    ctx.tx.transact(() => {
      repo.save(registration(clientId, 'dynamic', secret === undefined, meta, null, now), name, sha256(secret ?? randomSecret('unused_')));
      ctx.audit.append({
        type: 'client.registered',
        outcome: 'ok',
        person: ctx.person,
        agent: clientId,
        detail: { name, kind: 'agent', via: 'dynamic-registration', redirect_uris: meta.redirect_uris, public: secret === undefined },
      });
      ctx.tx.enqueue({ type: 'agent', client_id: clientId });
    });
    ctx.clients.changedElsewhere();
    return {
      ...meta,
      client_id: clientId,
      client_id_issued_at: now,
      ...(secret !== undefined ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
      token_endpoint_auth_method: method,
      grant_types: meta.grant_types ?? GRANT_TYPES,
      response_types: ['code'],
    };
  }

  /** Removes dynamically registered clients nobody used for a while (each removal audited). */
  function removeUnused(): string[] {
    const now = ctx.clock();
    const ids = repo.unused(now - opts.unusedClientSeconds, now);
    if (ids.length === 0) return ids;
    ctx.tx.transact(() => {
      for (const id of ids) {
        if (!ctx.clients.remove(id, now)) continue;
        ctx.audit.append({
          type: 'client.removed',
          outcome: 'ok',
          person: ctx.person,
          agent: id,
          detail: { via: 'daemon', reason: 'registered client unused' },
        });
        ctx.tx.enqueue({ type: 'agent', client_id: id });
      }
    });
    return ids;
  }

  return { resolve, lookup, register, registrationAllowed, removeUnused, touch: (id: string) => repo.touch(id, ctx.clock()) };
}
export type McpClients = ReturnType<typeof mcpClients>;
