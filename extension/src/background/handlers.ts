import type { ChatSite, MessageType, RequestOf, ResponseOf } from '#shared/protocol.js';
import type { Runtime } from '../lib/browser.js';
import { hostOf } from '../lib/url.js';
import type { ConnectionManager } from './connection.js';
import { clearPairing, savePairing } from './credential-store.js';
import { newProofKey } from './proof.js';
import { callDaemon } from './daemon-client.js';
import { InterceptError, type Interceptor } from './intercept.js';
import { readManagedPolicy } from './managed-policy.js';
import { effectiveSettings, setDaemonUrl, updateSettings } from './settings.js';

type Handlers = { [T in MessageType]: (payload: RequestOf<T>, sender: Runtime.MessageSender) => Promise<ResponseOf<T>> };

/** The hosts each chat site's content script may report from: where the manifest runs it. */
const SITE_HOSTS: Record<ChatSite, readonly string[]> = { chatgpt: ['chatgpt.com', 'chat.openai.com'], claude: ['claude.ai'] };

const senderHost = (sender: Runtime.MessageSender): string => hostOf(sender.tab?.url ?? sender.url ?? '', '');

function senderTab(sender: Runtime.MessageSender): number {
  const id = sender.tab?.id;
  if (id === undefined || id < 0) throw new InterceptError('invalid_request', 'the review page must run in a tab');
  return id;
}

const ORG_REASON = 'Your organisation asks you to approve each use: “Always allow” is turned off by Mandate.';
const PERSON_REASON = 'You turned off “Always allow” in Mandate’s settings: approve each use instead.';

/** What each message does. Inputs arrive already parsed by the shared schemas (see index.ts). */
export function handlers(conn: ConnectionManager, intercept: Interceptor): Handlers {
  const daemon = () => conn.target();
  /** Every change is followed by a refresh, so all open pages see it even before the SSE event lands. */
  const thenRefresh = async <T>(value: T): Promise<T> => {
    await conn.refresh();
    return value;
  };
  return {
    'state.get': async () => (conn.current().readAt === 0 ? conn.refresh() : conn.current()),
    'settings.setDaemonUrl': async ({ daemonUrl }) => {
      await setDaemonUrl(daemonUrl);
      return conn.refresh();
    },
    pair: async ({ code, daemonUrl }) => {
      const label = `Browser extension (${navigator.userAgent.includes('Firefox') ? 'Firefox' : 'Chromium'})`;
      // a fresh non-extractable key per pairing: the daemon binds the credential to it (DPoP, RFC 9449)
      const proofKey = await newProofKey();
      const paired = await callDaemon({ url: daemonUrl }, 'pair', { code, label, jwk: proofKey.jwk });
      await setDaemonUrl(daemonUrl);
      await savePairing({ credential: paired.credential, proofKey, daemonJwk: paired.daemon_jwk });
      return conn.refresh();
    },
    unpair: async () => {
      await clearPairing();
      return conn.refresh();
    },
    'requests.approve': async ({ id, scope, expires_in }) => thenRefresh(await callDaemon(await daemon(), 'requests.approve', { id }, { scope, expires_in })),
    'requests.deny': async ({ id }) => thenRefresh(await callDaemon(await daemon(), 'requests.deny', { id })),
    'grants.revoke': async ({ id }) => thenRefresh(await callDaemon(await daemon(), 'grants.revoke', { id })),
    'grants.revokeAll': async () => thenRefresh(await callDaemon(await daemon(), 'grants.revokeAll')),
    'audit.query': async (q) => {
      return callDaemon(await daemon(), 'audit.list', q);
    },
    'audit.verify': async () => callDaemon(await daemon(), 'audit.verify'),
    'grants.toolCalls': async ({ id }) => callDaemon(await daemon(), 'grants.toolCalls', { id }, { limit: 5 }),
    'content.report': async (report, sender) => {
      const host = senderHost(sender);
      if (!SITE_HOSTS[report.site].includes(host)) throw new InterceptError('forbidden', `a ${report.site} report cannot come from ${host || 'this page'}`);
      await callDaemon(await daemon(), 'chat.record', { ...report, page_host: host });
      return { recorded: true };
    },
    'content.context': async ({ site }, sender) => {
      if (!SITE_HOSTS[site].includes(senderHost(sender))) throw new InterceptError('forbidden', 'context is given only to the site’s own pages');
      const state = conn.current();
      const [s, org] = await Promise.all([effectiveSettings(), readManagedPolicy()]);
      const disableAlwaysAllow = s.orgDisableAlwaysAllow || s.disableAlwaysAllow;
      return {
        grants: state.external
          .filter((g) => g.platform === site && g.status === 'granted')
          .map((g) => ({ provider: g.provider_host, scopes: g.allowed_scope, expires_at: g.expires_at, status: g.status })),
        disableAlwaysAllow,
        reason: s.orgDisableAlwaysAllow ? ORG_REASON : disableAlwaysAllow ? PERSON_REASON : '',
        selectorOverrides: org.selectorOverrides ?? {},
      };
    },
    'settings.get': async () => effectiveSettings(),
    'settings.update': async (change) => {
      await updateSettings(change);
      return effectiveSettings();
    },
    'intercept.open': async ({ via }, sender) => intercept.open(via, { tabId: senderTab(sender), frameId: sender.frameId ?? 0 }),
    'intercept.decide': async (p, sender) => intercept.decide(p, senderTab(sender)),
    'externals.revoke': async ({ id }) => intercept.revokeExternal(id),
  };
}
