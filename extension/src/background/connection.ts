import { daemonInfo, externalGrantList, grantList, type ExternalGrantView, type GrantView } from '../../../shared/src/admin-api.js';
import type { ExtensionState } from '../../../shared/src/protocol.js';
import { loadCredential } from './credential-store.js';
import { DaemonError, callDaemon, type DaemonTarget } from './daemon-client.js';
import { getDaemonUrl } from './settings.js';
import { readManagedPolicy } from './managed-policy.js';
import { z } from 'zod';
import { policySchema } from '../../../shared/src/policy.js';

const policyAnswer = z.object({ effective: policySchema });

const HISTORY_LIMIT = 200;
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
    const credential = await loadCredential();
    const managed = await readManagedPolicy();
    target = { url, credential };
    if (!credential) {
      stopStream();
      return publish({ connection: { state: 'unpaired' }, daemonUrl: url, policy: managed, ...offlineLists });
    }
    try {
      // the browser's managed policy goes to the daemon, which may only make its own stricter with it
      const { effective } = await callDaemon(target, 'POST', '/policy/browser', policyAnswer, { policy: managed });
      const [info, pending, live, all, external, externalAll] = await Promise.all([
        callDaemon(target, 'GET', '/session', daemonInfo),
        callDaemon(target, 'GET', '/requests', grantList),
        callDaemon(target, 'GET', '/grants', grantList),
        callDaemon(target, 'GET', `/grants?all=true&limit=${HISTORY_LIMIT}`, grantList),
        callDaemon(target, 'GET', '/external-grants', externalGrantList),
        callDaemon(target, 'GET', `/external-grants?all=true&limit=${HISTORY_LIMIT}`, externalGrantList),
      ]);
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
      ensureStream();
      return next;
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      stopStream();
      if (e.kind === 'rejected') {
        return publish({ connection: { state: 'rejected', reason: e.message }, daemonUrl: url, policy: managed, ...offlineLists });
      }
      scheduleRetry();
      return publish({ connection: { state: 'offline', reason: e.message }, daemonUrl: url, policy: managed, ...offlineLists });
    }
  }

  /** Coalesces bursts of events into at most one refresh in flight plus one queued. */
  function refresh(): Promise<ExtensionState> {
    if (refreshing) {
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

  /** Follows GET /admin/events; any event means "something changed", so it triggers a refresh. */
  function ensureStream(): void {
    if (stream || !target?.credential) return;
    const controller = new AbortController();
    stream = controller;
    const { url, credential } = target;
    void (async () => {
      try {
        const res = await fetch(`${url}/admin/events`, {
          headers: { authorization: `Bearer ${credential}` },
          signal: controller.signal,
          cache: 'no-store',
          credentials: 'omit',
        });
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          if (buffer.includes('\n\n')) {
            const frames = buffer.split('\n\n');
            buffer = frames.pop() ?? '';
            if (frames.some((f) => /^event: (grant|agent|external)$/m.test(f))) void refresh();
          }
        }
      } catch {
        // aborted on purpose, or the daemon went away: the refresh below tells which
      }
      if (stream === controller) {
        stream = undefined;
        void refresh();
      }
    })();
  }

  return {
    refresh,
    current: () => state,
    target: async (): Promise<DaemonTarget> => target ?? { url: await getDaemonUrl(), credential: await loadCredential() },
    /** Called by the periodic alarm: reconnects if the worker was restarted or the stream dropped. */
    wake(): void {
      if (!stream || state.connection.state !== 'online') void refresh();
    },
  };
}
export type ConnectionManager = ReturnType<typeof connectionManager>;
