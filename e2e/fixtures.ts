/**
 * Playwright fixtures: the real daemon on a random loopback port with a temp data dir, and Debian's
 * Chromium with the built extension (dist/extension) loaded, in a fresh profile per test.
 */
import { test as base, expect, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AgentCreated } from '#shared/admin-api.js';
import { type AdminClient, adminClient } from '#shared/admin-client.js';
import { ADMIN_PREFIX } from '#shared/admin-contract.js';
import { GRANT_TYPE_CIBA, bcAuthorizeResponse } from '#shared/oauth.js';
import { startDaemon, type RunningDaemon } from '../daemon/src/daemon.js';
import { chromiumMissing, launch } from './chromium.js';

export const EXTENSION_DIR = resolve(import.meta.dirname, '../dist/extension');
export const GMAIL = 'https://gmail.googleapis.com/';
export const READ = 'https://www.googleapis.com/auth/gmail.readonly';
export const SEND = 'https://www.googleapis.com/auth/gmail.send';

export interface DaemonHandle {
  daemon: RunningDaemon;
  home: string;
  /** The typed admin client with the CLI's credential. */
  api: AdminClient;
  /** A raw admin request (path below /admin). */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  registerAgent(name?: string, scopes?: string[]): Promise<AgentCreated>;
  request(agent: AgentCreated, params?: Record<string, string>): Promise<string>;
  form(path: string, agent: AgentCreated, params: Record<string, string>): Promise<Response>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Moves the daemon's clock forward (a real clock plus an offset) and runs its expiry sweep. */
  advance(seconds: number): void;
}

async function daemonHandle(home: string, port = 0): Promise<DaemonHandle> {
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  let daemon = await startDaemon({ home, port, person: 'user:alice@e2e', log: () => {}, clock });
  const credential = () => readFileSync(join(home, 'cli-credential'), 'utf8').trim();
  const handle: DaemonHandle = {
    get daemon() {
      return daemon;
    },
    home,
    api: adminClient(fetch, `http://127.0.0.1:${daemon.port}`, () => ({ authorization: `Bearer ${credential()}` })),
    admin: (method, path, body) =>
      fetch(daemon.url + ADMIN_PREFIX + path, {
        method,
        headers: { authorization: `Bearer ${credential()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    async registerAgent(name = 'Mail helper', scopes = [READ, SEND]) {
      return handle.api.call('agents.create', { name, scopes, resources: [GMAIL] });
    },
    form: (path, agent, params) =>
      fetch(daemon.url + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${agent.client_id}:${agent.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams(params),
      }),
    async request(agent, params = {}) {
      const res = await handle.form('/bc-authorize', agent, {
        scope: `${READ} ${SEND}`,
        resource: GMAIL,
        binding_message: 'Summarise my unread mail and draft replies',
        requested_expiry: '7200',
        ...params,
      });
      expect(res.status).toBe(200);
      return bcAuthorizeResponse.parse(await res.json()).auth_req_id;
    },
    async stop() {
      await daemon.close();
    },
    async restart() {
      const port = daemon.port;
      await daemon.close().catch(() => undefined);
      daemon = await startDaemon({ home, port, person: 'user:alice@e2e', log: () => {}, clock });
    },
    advance(seconds) {
      offset += seconds;
      daemon.sweep();
    },
  };
  return handle;
}

export const pollToken = (d: DaemonHandle, agent: AgentCreated, authReqId: string) =>
  d.form('/token', agent, { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId });

/** CIBA answers while the person has not decided yet (§11): a poll that gets one of these must poll again. */
const STILL_PENDING = new Set(['authorization_pending', 'slow_down']);

/**
 * Polls `/token` until the decision made in the UI has landed at the daemon, and returns that answer.
 * A click returns before the extension's call reaches the daemon: one poll right after it can race it.
 */
export async function tokenOnceDecided(d: DaemonHandle, agent: AgentCreated, authReqId: string): Promise<Response> {
  let last: Response | undefined;
  await expect
    .poll(
      async () => {
        last = await pollToken(d, agent, authReqId);
        if (last.ok) return 'decided';
        const body = (await last.clone().json()) as { error?: unknown };
        return typeof body.error === 'string' && STILL_PENDING.has(body.error) ? 'pending' : 'decided';
      },
      { timeout: 10_000 },
    )
    .toBe('decided');
  if (!last) throw new Error('no poll was made');
  return last;
}

type Fixtures = {
  daemon: DaemonHandle;
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  popup: (path?: string) => Promise<Page>;
  /** The options tab the extension opens by itself on first install (reused, so no two navigations race). */
  options: Page;
};

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from its destructuring
  daemon: async ({}, use) => {
    const home = mkdtempSync(join(tmpdir(), 'mandate-e2e-'));
    const d = await daemonHandle(home);
    await use(d);
    await d.stop().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  },
  // eslint-disable-next-line no-empty-pattern
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from its destructuring
  context: async ({}, use) => {
    const { context, close } = await launch(EXTENSION_DIR);
    await use(context);
    await close();
  },
  worker: async ({ context }, use) => {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    await use(worker);
  },
  extensionId: async ({ worker }, use) => use(new URL(worker.url()).host),
  popup: async ({ context, extensionId }, use) =>
    use(async (path = 'src/popup/index.html') => {
      const page = await context.newPage();
      await page.setViewportSize({ width: 360, height: 600 });
      await page.goto(`chrome-extension://${extensionId}/${path}`);
      return page;
    }),
  options: async ({ context, extensionId }, use) => {
    const url = `chrome-extension://${extensionId}/src/options/index.html`;
    let page: Page | undefined;
    await expect
      .poll(
        () => {
          page = context.pages().find((p) => p.url() === url);
          return page !== undefined;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    await page!.waitForLoadState();
    await use(page!);
  },
});

test.beforeAll(() => {
  test.skip(chromiumMissing() !== undefined, chromiumMissing());
  test.skip(!existsSync(join(EXTENSION_DIR, 'manifest.json')), 'extension not built: run npm run build');
});

/** Pairs the extension through its options page, as a person would. */
export async function pairThroughOptions(options: Page, d: DaemonHandle): Promise<Page> {
  await options.getByLabel('Daemon URL').fill(d.daemon.url);
  await options.getByLabel('Pairing code').fill(d.daemon.pairingCode.code);
  await options.getByRole('button', { name: 'Pair' }).click();
  await expect(options.getByRole('status').filter({ hasText: 'Paired.' })).toBeVisible();
  return options;
}

export { expect };
