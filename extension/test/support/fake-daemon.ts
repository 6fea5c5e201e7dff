/**
 * A fake `fetch` standing in for the daemon's admin API, for unit tests of the service worker. It answers
 * the identity challenge with a real ES256 signature by its identity key (so the extension's pin check runs
 * for real), serves the lists, and holds the SSE stream open for the test to write to or end.
 */
import { type EcPublicJwk, type GrantView, IDENTITY_PROOF_TYP } from '#shared/admin-api.js';
import { ADMIN_PREFIX } from '#shared/admin-contract.js';
import { base64url } from '../../src/background/proof.js';

export const ORIGIN = 'chrome-extension://ffgkmgaanieiccjamnkagikpfjiadigm';
export const DAEMON = 'http://127.0.0.1:7457';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const enc = new TextEncoder();

export async function identityKey(): Promise<{ keys: CryptoKeyPair; jwk: EcPublicJwk }> {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const { x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
  if (!x || !y) throw new Error('no public key');
  return { keys, jwk: { kty: 'EC', crv: 'P-256', x, y } };
}

export function grant(id: string): GrantView {
  return {
    id,
    status: 'pending',
    sub: 'user:alice',
    agent: { client_id: 'agt_1', name: 'Mail helper' },
    resource: 'https://gmail.googleapis.com',
    binding_message: null,
    requested_scope: ['read'],
    requested_duration: 900,
    approved_scope: null,
    authorization_details: null,
    created_at: 1,
    request_expires_at: 2_000_000_000,
    decided_at: null,
    decided_by: null,
    decided_via: null,
    expires_at: null,
    ended_at: null,
    ended_by: null,
    last_used_at: null,
  };
}

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export async function fakeDaemon() {
  let identity = await identityKey();
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  const d = {
    /** false: every request fails as if nothing listened on the port. */
    up: true,
    calls: [] as Call[],
    pending: [] as GrantView[],
    /** Status and body to answer for a path (method + path), instead of the default. */
    answers: new Map<string, { status: number; body: unknown }>(),
    /** A path (method + path) whose answers wait for this promise: a load held part-way. */
    gates: new Map<string, Promise<void>>(),
    get jwk() {
      return identity.jwk;
    },
    /** Something else takes the port: it answers, but cannot sign with the pinned key. */
    async replaceIdentity() {
      identity = await identityKey();
    },
    count: (method: string, path: string) => d.calls.filter((c) => c.method === method && c.path === path).length,
    /** Writes an SSE frame to every open stream. */
    emit(event: string) {
      for (const s of streams) s.enqueue(enc.encode(`event: ${event}\ndata: {}\n\n`));
    },
    /** Ends every open stream, as a daemon that stops would. */
    endStreams() {
      for (const s of streams.splice(0)) s.close();
    },
    fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(String(input));
      const method = init?.method ?? 'GET';
      const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
      const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      const path = url.pathname.slice(ADMIN_PREFIX.length) + url.search;
      d.calls.push({ method, path, headers, body });
      if (!d.up) throw new TypeError('fetch failed');
      await d.gates.get(`${method} ${path}`);
      const preset = d.answers.get(`${method} ${path}`);
      if (preset) return json(preset.status, preset.body);
      if (method === 'POST' && path === '/identity') {
        const { challenge, url: daemonUrl } = body as { challenge: string; url: string };
        const head = base64url(enc.encode(JSON.stringify({ alg: 'ES256', typ: IDENTITY_PROOF_TYP })));
        const claims = base64url(enc.encode(JSON.stringify({ challenge, origin: ORIGIN, url: daemonUrl, iat: Math.floor(Date.now() / 1000) })));
        const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, identity.keys.privateKey, enc.encode(`${head}.${claims}`));
        return json(200, { proof: `${head}.${claims}.${base64url(new Uint8Array(sig))}` });
      }
      if (!headers.authorization?.startsWith('DPoP ')) return json(401, { error: 'invalid_token', error_description: 'no credential' });
      const now = Math.floor(Date.now() / 1000);
      if (path === '/events') {
        let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
        const stream = new ReadableStream<Uint8Array>({
          start: (c) => {
            controller = c;
            streams.push(c);
          },
        });
        init?.signal?.addEventListener('abort', () => {
          if (!controller) return;
          const i = streams.indexOf(controller);
          if (i >= 0) streams.splice(i, 1);
          controller.error(new DOMException('aborted', 'AbortError'));
        });
        return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
      }
      if (path === '/policy/browser') return json(200, { path: null, file: {}, browser: {}, effective: {} });
      if (path === '/session') {
        const credential = { id: 'c1', label: 'ext', kind: 'extension', origin: ORIGIN, created_at: 1, last_used_at: null, revoked_at: null };
        return json(200, { issuer: DAEMON, person: 'user:alice', version: '0.1.0', data_dir: '/tmp', credential });
      }
      if (path === '/requests') return json(200, { grants: d.pending, now });
      if (path.startsWith('/grants') || path.startsWith('/external-grants')) return json(200, { grants: [], now });
      return json(404, { error: 'not_found', error_description: `no ${method} ${path}` });
    },
  };
  return d;
}
export type FakeDaemon = Awaited<ReturnType<typeof fakeDaemon>>;
