import '../lib/zod-jitless.js';
import { type ExtensionState, isMessageType, messages, type Reply, type ReplyErrorCode, STATE_PORT, envelope } from '#shared/protocol.js';
import browser, { type Runtime } from '../lib/browser.js';
import { notifyExpiredExternal, notifyRequests, updateBadge } from './attention.js';
import { connectionManager } from './connection.js';
import { ExtensionError, errorReply } from '../lib/errors.js';
import { handlers } from './handlers.js';
import { interceptor } from './intercept.js';
import { onManagedPolicyChange } from './managed-policy.js';
import { classifySender, mayCall } from './sender-policy.js';

const EXTENSION_BASE = browser.runtime.getURL('/');
const ports = new Set<Runtime.Port>();

const conn = connectionManager({
  onChange(state: ExtensionState, fresh, expired) {
    for (const port of ports) port.postMessage(state);
    void updateBadge(state);
    if (fresh.length > 0) void notifyRequests(fresh);
    if (expired.length > 0) void notifyExpiredExternal(expired);
  },
});
const intercept = interceptor(
  () => conn.target(),
  () => void conn.refresh(),
);
const handle = handlers(conn, intercept);

function fail(code: ReplyErrorCode, message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

/** Every message: classify the sender, allow-list the type for that sender, parse the payload, act. */
async function dispatch(message: unknown, sender: Runtime.MessageSender): Promise<Reply<unknown>> {
  const kind = classifySender(sender, browser.runtime.id, EXTENSION_BASE);
  const env = envelope.safeParse(message);
  if (!env.success) return fail('invalid_message', 'message is not {type, payload}');
  const { type, payload } = env.data;
  if (!isMessageType(type) || !mayCall(kind, type)) {
    console.warn(`[mandate] refused "${type.slice(0, 64)}" from ${kind} ${sender.url ?? ''}`);
    return fail('forbidden', `${kind === 'content-script' ? 'web pages and content scripts' : 'this sender'} may not ask for "${type.slice(0, 64)}"`);
  }
  const parsed = messages[type].request.safeParse(payload);
  if (!parsed.success) return fail('invalid_request', parsed.error.issues[0]?.message ?? 'invalid payload');
  try {
    const run = handle[type] as (p: unknown, s: Runtime.MessageSender) => Promise<unknown>;
    return { ok: true, value: await run(parsed.data, sender) };
  } catch (e) {
    if (!(e instanceof ExtensionError)) console.error('[mandate] unexpected error handling', type, e);
    return errorReply(e);
  }
}

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => dispatch(message, sender));

browser.runtime.onConnect.addListener((port) => {
  if (port.name !== STATE_PORT || classifySender(port.sender ?? {}, browser.runtime.id, EXTENSION_BASE) !== 'extension-page') {
    port.disconnect();
    return;
  }
  ports.add(port);
  port.onDisconnect.addListener(() => ports.delete(port));
  port.postMessage(conn.current());
});

browser.runtime.onInstalled.addListener(async ({ reason }) => {
  const state = await conn.refresh();
  if (reason === 'install' && state.connection.state === 'unpaired') await browser.runtime.openOptionsPage();
});

browser.notifications.onClicked.addListener(async (id) => {
  await browser.notifications.clear(id);
  if (id.startsWith('expired:')) {
    const url = id.slice(id.indexOf('|') + 1);
    if (/^https:\/\//.test(url)) await browser.tabs.create({ url });
    return;
  }
  await browser.windows.create({ url: browser.runtime.getURL('src/popup/index.html'), type: 'popup', width: 380, height: 640 });
});

intercept.listen();
void intercept.clearStaleRules();

browser.alarms.create('mandate-keepalive', { periodInMinutes: 0.5 });
browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === 'mandate-keepalive') conn.wake();
});

onManagedPolicyChange(() => void conn.refresh());

void conn.refresh();
