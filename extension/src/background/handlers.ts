import { auditList, auditVerifyResult, grantView, pairResponse, revokeAllResponse } from '../../../shared/src/admin-api.js';
import type { MessageType, RequestOf, ResponseOf } from '../../../shared/src/protocol.js';
import type { ConnectionManager } from './connection.js';
import { clearCredential, saveCredential } from './credential-store.js';
import { callDaemon } from './daemon-client.js';
import { setDaemonUrl } from './settings.js';

type Handlers = { [T in MessageType]: (payload: RequestOf<T>) => Promise<ResponseOf<T>> };

/** What each message does. Inputs arrive already parsed by the shared schemas (see index.ts). */
export function handlers(conn: ConnectionManager): Handlers {
  const daemon = () => conn.target();
  /** Every change is followed by a refresh, so all open pages see it even before the SSE event lands. */
  const thenRefresh = async <T>(value: T): Promise<T> => {
    await conn.refresh();
    return value;
  };
  return {
    'state.get': async () => conn.current().readAt === 0 ? conn.refresh() : conn.current(),
    'settings.setDaemonUrl': async ({ daemonUrl }) => {
      await setDaemonUrl(daemonUrl);
      return conn.refresh();
    },
    pair: async ({ code, daemonUrl }) => {
      const label = `Browser extension (${navigator.userAgent.includes('Firefox') ? 'Firefox' : 'Chromium'})`;
      const paired = await callDaemon({ url: daemonUrl }, 'POST', '/pair', pairResponse, { code, label });
      await setDaemonUrl(daemonUrl);
      await saveCredential(paired.credential);
      return conn.refresh();
    },
    unpair: async () => {
      await clearCredential();
      return conn.refresh();
    },
    'requests.approve': async ({ id, scope, expires_in }) =>
      thenRefresh(await callDaemon(await daemon(), 'POST', `/requests/${encodeURIComponent(id)}/approve`, grantView, { scope, expires_in })),
    'requests.deny': async ({ id }) =>
      thenRefresh(await callDaemon(await daemon(), 'POST', `/requests/${encodeURIComponent(id)}/deny`, grantView, {})),
    'grants.revoke': async ({ id }) =>
      thenRefresh(await callDaemon(await daemon(), 'POST', `/grants/${encodeURIComponent(id)}/revoke`, grantView, {})),
    'grants.revokeAll': async () => thenRefresh(await callDaemon(await daemon(), 'POST', '/grants/revoke-all', revokeAllResponse, {})),
    'audit.query': async (q) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
      return callDaemon(await daemon(), 'GET', `/audit?${params}`, auditList);
    },
    'audit.verify': async () => callDaemon(await daemon(), 'GET', '/audit/verify', auditVerifyResult),
  };
}
