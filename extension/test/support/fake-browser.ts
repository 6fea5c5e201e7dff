/**
 * An in-memory stand-in for extension/src/lib/browser.ts, for unit tests of the service worker's modules:
 * `vi.mock('../src/lib/browser.js', () => import('./support/fake-browser.js'))`. Storage areas keep what is
 * set, events keep their listeners (so tests can count and fire them), and calls are recorded.
 */
type Listener = (...args: never[]) => unknown;

export class FakeEvent<L extends Listener = Listener> {
  readonly listeners = new Set<L>();
  addListener(l: L): void {
    this.listeners.add(l);
  }
  removeListener(l: L): void {
    this.listeners.delete(l);
  }
  hasListener(l: L): boolean {
    return this.listeners.has(l);
  }
  /** Calls every listener; returns what they returned. */
  fire(...args: Parameters<L>): unknown[] {
    return [...this.listeners].map((l) => l(...args));
  }
}

function area(onChanged: FakeEvent, name: string) {
  const data = new Map<string, unknown>();
  return {
    data,
    async get(keys?: string | string[] | null): Promise<Record<string, unknown>> {
      const wanted = keys === undefined || keys === null ? [...data.keys()] : typeof keys === 'string' ? [keys] : keys;
      return Object.fromEntries(wanted.filter((k) => data.has(k)).map((k) => [k, structuredClone(data.get(k))]));
    },
    async set(items: Record<string, unknown>): Promise<void> {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
      onChanged.fire(Object.fromEntries(Object.entries(items).map(([k, v]) => [k, { newValue: v }])) as never, name as never);
    },
    async remove(keys: string | string[]): Promise<void> {
      for (const k of typeof keys === 'string' ? [keys] : keys) data.delete(k);
    },
  };
}

export interface FakePort {
  name: string;
  sender?: { id?: string; url?: string; tab?: unknown };
  posted: unknown[];
  postMessage(m: unknown): void;
  disconnect(): void;
  onDisconnect: FakeEvent;
  onMessage: FakeEvent;
}

export const EXTENSION_ID = 'ffgkmgaanieiccjamnkagikpfjiadigm';
export const EXTENSION_BASE = `chrome-extension://${EXTENSION_ID}/`;

function makeBrowser() {
  const onChanged = new FakeEvent();
  return {
    runtime: {
      id: EXTENSION_ID,
      getURL: (path: string) => EXTENSION_BASE + path.replace(/^\//, ''),
      /** As the Firefox build asks: webRequest, the second witness of a redirected load. */
      getManifest: () => ({ permissions: ['storage', 'webNavigation', 'webRequest'] }),
      onMessage: new FakeEvent(),
      onConnect: new FakeEvent(),
      onInstalled: new FakeEvent(),
      openOptionsPage: async () => undefined,
      sendMessage: async (_m: unknown): Promise<unknown> => undefined,
    },
    storage: { local: area(onChanged, 'local'), session: area(onChanged, 'session'), managed: area(onChanged, 'managed'), onChanged },
    action: { setBadgeText: async () => undefined, setBadgeBackgroundColor: async () => undefined, setTitle: async () => undefined },
    notifications: { create: async () => '', clear: async () => true, onClicked: new FakeEvent() },
    alarms: { create: () => undefined, onAlarm: new FakeEvent() },
    tabs: { create: async () => ({}), update: async () => ({}), onRemoved: new FakeEvent() },
    windows: { create: async () => ({}) },
    webNavigation: { onBeforeNavigate: new FakeEvent(), onCommitted: new FakeEvent(), onErrorOccurred: new FakeEvent() },
    webRequest: { onBeforeRequest: new FakeEvent() },
    declarativeNetRequest: {
      sessionRules: [] as { id: number }[],
      async getSessionRules() {
        return this.sessionRules;
      },
      async updateSessionRules(u: { removeRuleIds?: number[]; addRules?: { id: number }[] }) {
        this.sessionRules = [...this.sessionRules.filter((r) => !u.removeRuleIds?.includes(r.id)), ...(u.addRules ?? [])];
      },
      getDynamicRules: async () => [] as { id: number }[],
      updateDynamicRules: async () => undefined,
    },
  };
}

export type FakeBrowser = ReturnType<typeof makeBrowser>;
const browser: FakeBrowser = makeBrowser();
export default browser;

/** A port as an extension page would open it. */
export function fakePort(name: string, url = `${EXTENSION_BASE}src/popup/index.html`): FakePort {
  const port: FakePort = {
    name,
    sender: { id: EXTENSION_ID, url },
    posted: [],
    postMessage: (m) => void port.posted.push(m),
    disconnect: () => void port.onDisconnect.fire(),
    onDisconnect: new FakeEvent(),
    onMessage: new FakeEvent(),
  };
  return port;
}
