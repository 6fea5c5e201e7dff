import type { ExternalGrantView, GrantView } from '#shared/admin-api.js';
import type { ExtensionState } from '#shared/protocol.js';
import { loadPairing, type Pairing } from './credential-store.js';
import { DaemonError, authHeaders, callDaemon, eventsUrl, noteUnreachable, unreachableCount, type DaemonTarget } from './daemon-client.js';
import { verifyDaemonIdentity } from './daemon-identity.js';
import { getDaemonUrl } from './settings.js';
import { readManagedPolicy } from './managed-policy.js';
import type { Policy } from '#shared/policy.js';
import { sseParser } from '#shared/sse.js';

const HISTORY_LIMIT = 200;
/**
 * Stream events after which the lists are read again: those that change what the popup shows (`audit` does not),
 * and `ready`, which the daemon sends once this stream's subscription is live. The lists are first read before
 * the stream is opened, so a request filed in between reaches no stream: reading again on `ready` is what shows it.
 */
const REFRESH_EVENTS = new Set(['ready', 'grant', 'agent', 'external']);
/** Seconds after an external grant expired during which the person is still told about it. */
const EXPIRY_NOTICE_WINDOW = 600;
const RETRY_MS = [1000, 2000, 4000, 5000];

export interface ConnectionHooks {
  /** Called after every state change, with the requests not seen before and external grants that just expired. */
  onChange(state: ExtensionState, newRequests: GrantView[], justExpired: ExternalGrantView[]): void;
}

/**
 * Keeps the extension's view of the daemon: reads lists over the admin API, follows the daemon's SSE
 * stream to refresh on every change, and reconnects with backoff whenever the daemon goes away.
 * Fails closed: unless the daemon answered with our credential just now, the state is not `online`.
 * No credential leaves the extension until whatever answers at the daemon's address has signed a fresh
 * challenge with the identity key pinned at pairing: at start-up, and again after every time the address
 * stopped answering (a squatter may have taken the port meanwhile).
 */
export function connectionManager(hooks: ConnectionHooks) {
  let target: DaemonTarget | undefined;
  let state: ExtensionState = {
    connection: { state: 'connecting' },
    daemonUrl: '',
    pending: [],
    active: [],
    history: [],
    external: [],
    externalHistory: [],
    policy: {},
    daemonNow: 0,
    readAt: 0,
  };
  let stream: AbortController | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let refreshing: Promise<ExtensionState> | undefined;
  /** The daemon URL whose identity was proven, with which pinned key, and the unreachable count at that moment. */
  let verified: { url: string; pin: string; epoch: number } | undefined;
  let again = false;
  const seen = new Set<string>();
  const expiredSeen = new Set<string>();

  function publish(next: Partial<ExtensionState>): ExtensionState {
    state = { ...state, ...next };
    const fresh = state.pending.filter((g) => !seen.has(g.id));
    for (const g of state.pending) seen.add(g.id);
    // only expiries that happened while we watched (or just before): no storm of old ones after a restart
    const justExpired = state.externalHistory.filter(
      (g) => g.status === 'expired' && !expiredSeen.has(g.id) && (g.ended_at ?? 0) >= state.daemonNow - EXPIRY_NOTICE_WINDOW,
    );
    for (const g of state.externalHistory) if (g.status === 'expired') expiredSeen.add(g.id);
    hooks.onChange(state, fresh, justExpired);
    return state;
  }

  const offlineLists = { pending: [], active: [], history: [], external: [], externalHistory: [] };

  async function load(): Promise<ExtensionState> {
    const url = await getDaemonUrl();
    const pairing = await loadPairing();
    const managed = await readManagedPolicy();
    target = { url };
    if (!pairing) {
      stopStream();
      return publish({ connection: { state: 'unpaired' }, daemonUrl: url, policy: managed, ...offlineLists });
    }
    try {
      return await loadPaired(url, pairing, managed, false);
    } catch (e) {
      // a proof refused for its time or replay: check the daemon again (which also re-learns its clock), retry once
      if (!(e instanceof DaemonError) || e.code !== 'invalid_dpop_proof') throw e;
      verified = undefined;
      return loadPaired(url, pairing, managed, true);
    }
  }

  async function loadPaired(url: string, pairing: Pairing, managed: Policy, retried: boolean): Promise<ExtensionState> {
    try {
      const pin = `${pairing.daemonJwk.x}.${pairing.daemonJwk.y}`;
      if (verified?.url !== url || verified.pin !== pin || verified.epoch !== unreachableCount()) {
        verified = undefined;
        stopStream();
        const epoch = unreachableCount();
        await verifyDaemonIdentity(url, pairing.daemonJwk);
        verified = { url, pin, epoch };
      }
      const t: DaemonTarget = { url, auth: { credential: pairing.credential, proofKey: pairing.proofKey } };
      // the browser's managed policy goes to the daemon, which may only make its own stricter with it
      const { effective } = await callDaemon(t, 'policy.pushBrowser', { policy: managed });
      const [info, pending, live, all, external, externalAll] = await Promise.all([
        callDaemon(t, 'session'),
        callDaemon(t, 'requests.list'),
        callDaemon(t, 'grants.list'),
        callDaemon(t, 'grants.list', { all: 'true', limit: HISTORY_LIMIT }),
        callDaemon(t, 'external.list'),
        callDaemon(t, 'external.list', { all: 'true', limit: HISTORY_LIMIT }),
      ]);
      target = t;
      const liveExternal = new Set(external.grants.map((g) => g.id));
      attempt = 0;
      const liveIds = new Set(live.grants.map((g) => g.id));
      const next = publish({
        connection: { state: 'online', person: info.person, version: info.version },
        daemonUrl: url,
        pending: pending.grants,
        active: live.grants,
        history: all.grants.filter((g) => g.status !== 'pending' && !liveIds.has(g.id)),
        external: external.grants,
        externalHistory: externalAll.grants.filter((g) => !liveExternal.has(g.id)),
        policy: effective,
        daemonNow: live.now,
        readAt: Date.now(),
      });
      // Not if the address stopped answering while these lists were read (a stream dropped meanwhile): the next
      // refresh checks the identity again before the credential goes out on a new stream.
      if (verified?.epoch === unreachableCount()) ensureStream();
      return next;
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      stopStream();
      target = { url };
      if (e.code === 'invalid_dpop_proof' && !retried) throw e;
      if (e.kind === 'rejected') {
        return publish({ connection: { state: 'rejected', reason: e.message }, daemonUrl: url, policy: managed, ...offlineLists });
      }
      scheduleRetry();
      if (e.kind === 'impostor') {
        verified = undefined;
        return publish({ connection: { state: 'impostor', reason: e.message }, daemonUrl: url, policy: managed, ...offlineLists });
      }
      return publish({ connection: { state: 'offline', reason: e.message }, daemonUrl: url, policy: managed, ...offlineLists });
    }
  }

  /** Coalesces bursts of events into at most one refresh in flight plus one queued. */
  function refresh(): Promise<ExtensionState> {
    if (refreshing !== undefined) {
      again = true;
      return refreshing;
    }
    refreshing = load().finally(() => {
      refreshing = undefined;
      if (again) {
        again = false;
        void refresh();
      }
    });
    return refreshing;
  }

  function scheduleRetry(): void {
    if (retry) return;
    const delay = RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]!;
    retry = setTimeout(() => {
      retry = undefined;
      void refresh();
    }, delay);
  }

  function stopStream(): void {
    stream?.abort();
    stream = undefined;
  }

  /** Follows GET /admin/events; its `ready` and every change event trigger a refresh (REFRESH_EVENTS). */
  function ensureStream(): void {
    if (stream || !target?.auth) return;
    const controller = new AbortController();
    stream = controller;
    const { auth } = target;
    const streamUrl = eventsUrl(target);
    void (async () => {
      try {
        const res = await fetch(streamUrl, {
          headers: await authHeaders(auth, 'GET', streamUrl),
          signal: controller.signal,
          cache: 'no-store',
          credentials: 'omit',
        });
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let changed = false;
        const parser = sseParser((f) => {
          if (REFRESH_EVENTS.has(f.event)) changed = true;
        });
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
          // one refresh per chunk, however many changes it carried
          if (changed) void refresh();
          changed = false;
        }
      } catch {
        // aborted on purpose, or the daemon went away: the refresh below tells which
      }
      if (stream === controller) {
        // the stream ended without us: the daemon may be gone, so whatever answers next proves itself again
        noteUnreachable();
        stream = undefined;
        void refresh();
      }
    })();
  }

  return {
    refresh,
    current: () => state,
    /** Where to send admin calls; with the credential only while the daemon's identity is proven. */
    async target(): Promise<DaemonTarget> {
      // a credential goes out only while the identity check is current: not after the address stopped answering
      const current = () => (target?.auth && verified?.epoch === unreachableCount() ? target : undefined);
      if (!current()) await refresh();
      const t = current();
      if (t) return t;
      const c = state.connection;
      if (c.state === 'impostor') throw new DaemonError('impostor', 'impostor', c.reason);
      if (c.state === 'unpaired') throw new DaemonError('rejected', 'unpaired', 'Mandate is not paired with a daemon yet.');
      throw new DaemonError('unreachable', 'unreachable', c.state === 'offline' || c.state === 'rejected' ? c.reason : 'The Mandate daemon is not answering.');
    },
    /** Called by the periodic alarm: reconnects if the worker was restarted or the stream dropped. */
    wake(): void {
      if (!stream || state.connection.state !== 'online') void refresh();
    },
  };
}
export type ConnectionManager = ReturnType<typeof connectionManager>;
