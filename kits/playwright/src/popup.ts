/** The extension's popup, opened in a tab and driven as a person would (flow A: an agent's CIBA request). */
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { pickDuration, type Duration } from './duration.js';
import type { TestDaemon } from './daemon.js';
import { playwright } from './playwright.js';

export interface PendingRequest {
  grantId: string;
  agent: string;
  /** The task the agent described (binding_message), if any. */
  task: string | null;
  scopes: string[];
  resource: string;
  /** Approves through the popup: unticks every scope not in `scopes`, picks `duration`, clicks Approve. */
  approve(opts?: { scopes?: string[]; duration?: Duration }): Promise<void>;
  deny(): Promise<void>;
}

export interface Popup {
  /** The oldest request waiting for the person, once the popup shows it. */
  next(opts?: { timeout?: number }): Promise<PendingRequest>;
  /** Clicks Revoke on the active delegation of this agent (by name) or grant id. */
  revoke(agentNameOrGrantId: string): Promise<void>;
  revokeAll(): Promise<void>;
  /** Opens (or returns) the popup page. */
  open(): Promise<Page>;
}

export function popupDriver(context: BrowserContext, extensionId: string, daemon: TestDaemon): Popup {
  let page: Page | undefined;
  const open = async () => {
    if (page && !page.isClosed()) {
      await page.reload();
      return page;
    }
    page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 600 });
    await page.goto(`chrome-extension://${extensionId}/src/popup/index.html`);
    return page;
  };
  const status = (p: Page, text: string | RegExp) => playwright.expect(p.getByRole('status').filter({ hasText: text })).toBeVisible();
  const cardOf = (p: Page, list: string, name: string): Locator =>
    p
      .getByRole('list', { name: list })
      .getByRole('listitem')
      .filter({ has: p.getByText(name, { exact: true }) });

  return {
    open,
    async next({ timeout = 15_000 } = {}) {
      const pending = async () => (await daemon.pending()).sort((a, b) => a.created_at - b.created_at);
      await playwright.expect.poll(async () => (await pending()).length, { timeout, message: 'no agent request is waiting' }).toBeGreaterThan(0);
      const [g] = await pending();
      const p = await open();
      const card = cardOf(p, 'Requests waiting for you', g!.agent.name).first();
      await playwright.expect(card).toBeVisible({ timeout });
      return {
        grantId: g!.id,
        agent: g!.agent.name,
        task: g!.binding_message,
        scopes: g!.requested_scope,
        resource: g!.resource,
        async approve({ scopes, duration } = {}) {
          if (scopes) {
            for (const s of scopes)
              if (!g!.requested_scope.includes(s)) throw new Error(`cannot approve ${s}: the agent asked for ${g!.requested_scope.join(' ')}`);
            for (const s of g!.requested_scope) if (!scopes.includes(s)) await card.getByRole('checkbox', { name: s, exact: true }).uncheck();
          }
          if (duration !== undefined) await pickDuration(card, duration);
          await card.getByRole('button', { name: 'Approve' }).click();
          await status(p, `Approved for ${g!.agent.name}`);
        },
        async deny() {
          await card.getByRole('button', { name: 'Deny' }).click();
          await status(p, `Denied ${g!.agent.name}`);
        },
      };
    },
    async revoke(agentNameOrGrantId) {
      const live = (await daemon.grants({ all: false })).filter((g) => g.status === 'approved');
      const g = live.find((x) => x.id === agentNameOrGrantId) ?? live.find((x) => x.agent.name === agentNameOrGrantId);
      if (!g) throw new Error(`no active delegation for "${agentNameOrGrantId}" (active: ${live.map((x) => `${x.agent.name} ${x.id}`).join(', ') || 'none'})`);
      const p = await open();
      await cardOf(p, 'Active delegations', g.agent.name).first().getByRole('button', { name: 'Revoke', exact: true }).click();
      await status(p, `Revoked ${g.agent.name}`);
    },
    async revokeAll() {
      const p = await open();
      await p.getByRole('button', { name: 'Revoke all' }).click();
      await p.getByRole('button', { name: /^Yes, revoke all/ }).click();
      await status(p, /^Revoked \d+ delegation/);
    },
  };
}
