/** The `mandate` fixture's object: a daemon, Chromium with the extension paired to it, and page objects. */
import type { BrowserContext, Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchWithExtension } from './chromium.js';
import { startTestDaemon, type AgentCredentials, type AuditEvent, type Grant, type NewAgent, type Policy, type TestDaemon } from './daemon.js';
import { rememberJwks } from './jwks.js';
import { playwright } from './playwright.js';
import { popupDriver, type Popup } from './popup.js';
import { reviewQueue, type ReviewQueue } from './review.js';

/** Options, set with `test.use({ mandateOptions: { ... } })`. */
export interface MandateOptions {
  /** Extra agent-platform redirect patterns, e.g. `http://localhost:3000/callback` (loopback ones are known already). */
  platforms?: string[];
  /** An organisation policy (the managed-storage / daemon policy-file schema). */
  policy?: Policy;
  /** The person's `sub` in tokens. Default `user:dev@example.test`. */
  person?: string;
  /** Seconds added to the daemon's clock from the start. */
  clockOffset?: number;
  /** `test` (default): a fresh daemon and browser per test; `worker`: one per worker, shared by its tests. */
  scope?: 'test' | 'worker';
  /** Default true; `false` shows the browser. */
  headless?: boolean;
}

export interface Mandate {
  daemon: Pick<TestDaemon, 'url' | 'home' | 'person' | 'admin'>;
  /** The browser context with the extension: open the app under test in it (the `page` fixture already is). */
  context: BrowserContext;
  extensionId: string;
  review: ReviewQueue;
  popup: Popup;
  agents: { add(agent: NewAgent): Promise<AgentCredentials> };
  grants(): Promise<Grant[]>;
  audit(query?: { type?: string; agent?: string; outcome?: string }): Promise<AuditEvent[]>;
  revoke(grantId: string): Promise<Grant>;
  /** Test-only: moves the daemon's clock past the grant's expiry and runs its expiry sweep. */
  expire(grantId: string): Promise<Grant>;
  /** Runs the `mandate` CLI against this daemon. */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export interface RunningMandate extends Mandate {
  close(): Promise<void>;
}

/** The built extension shipped in this package (dist/extension, beside dist/kits). */
export const EXTENSION_DIR = resolve(import.meta.dirname, '../../../extension');

type Reply = { ok: true; value: unknown } | { ok: false; error: { message: string } };
/** The one extension API the kit calls, from an extension page. */
type ExtensionGlobal = { chrome: { runtime: { sendMessage(message: unknown): Promise<Reply> } } };

async function send(page: Page, type: string, payload: unknown): Promise<unknown> {
  const reply = await page.evaluate(([t, p]) => (globalThis as unknown as ExtensionGlobal).chrome.runtime.sendMessage({ type: t, payload: p }), [
    type,
    payload,
  ] as const);
  if (!reply.ok) throw new Error(`extension refused ${type}: ${reply.error.message}`);
  return reply.value;
}

export async function startMandate(opts: MandateOptions = {}): Promise<RunningMandate> {
  if (!existsSync(resolve(EXTENSION_DIR, 'manifest.json'))) throw new Error(`the Mandate extension is not built at ${EXTENSION_DIR} (npm run build)`);
  const daemon = await startTestDaemon({
    person: opts.person ?? 'user:dev@example.test',
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.clockOffset ? { clockOffset: opts.clockOffset } : {}),
  });
  let browser: Awaited<ReturnType<typeof launchWithExtension>> | undefined;
  try {
    await rememberJwks(daemon.url);
    browser = await launchWithExtension(EXTENSION_DIR, { headless: opts.headless ?? true });
    const { context } = browser;
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const extensionId = new URL(worker.url()).host;
    const review = reviewQueue(context, extensionId);
    // pair from an extension page, as the options page does, without typing the code
    const options = await context.newPage();
    await options.goto(`chrome-extension://${extensionId}/src/options/index.html`);
    await send(options, 'pair', { code: daemon.pairingCode(), daemonUrl: daemon.url });
    await playwright.expect
      .poll(async () => ((await send(options, 'state.get', {})) as { connection?: { state?: string } }).connection?.state, { timeout: 10_000 })
      .toBe('online');
    if (opts.platforms?.length) await send(options, 'settings.update', { patterns: opts.platforms });
    for (const p of context.pages()) if (p.url().startsWith(`chrome-extension://${extensionId}/src/options/`)) await p.close();
    const launched = browser;
    return {
      daemon: { url: daemon.url, home: daemon.home, person: daemon.person, admin: daemon.admin },
      context,
      extensionId,
      review,
      popup: popupDriver(context, extensionId, daemon),
      agents: { add: (a) => daemon.addAgent(a) },
      grants: () => daemon.grants(),
      audit: (q) => daemon.audit(q),
      revoke: (id) => daemon.revoke(id),
      expire: (id) => daemon.expire(id),
      cli: (...args) => daemon.cli(...args),
      async close() {
        await launched.close().catch(() => undefined);
        await daemon.close();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await daemon.close();
    throw e;
  }
}
