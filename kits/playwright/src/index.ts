/**
 * `mandate/playwright`: test a consent flow against the real Mandate daemon and extension.
 * See docs/testing-consent-flows.md.
 */
import type {
  BrowserContext,
  Page,
  TestType,
  PlaywrightTestArgs,
  PlaywrightTestOptions,
  PlaywrightWorkerArgs,
  PlaywrightWorkerOptions,
} from '@playwright/test';
import { mandateMatchers } from './matchers.js';
import { startMandate, type Mandate, type MandateOptions, type RunningMandate } from './mandate.js';
import { playwright } from './playwright.js';

export type { AgentCredentials, AuditEvent, Grant, NewAgent, Policy } from './daemon.js';
export type { Duration } from './duration.js';
export type { AuditExpectation, TokenExpectation } from './matchers.js';
export { EXTENSION_DIR, startMandate, type Mandate, type MandateOptions, type RunningMandate } from './mandate.js';
export type { PendingRequest, Popup } from './popup.js';
export type { Pkce, Review, ReviewedRequest, ReviewQueue } from './review.js';
export { findChromium } from './chromium.js';

export type MandateTestArgs = { mandate: Mandate };
export type MandateWorkerArgs = { mandateOptions: MandateOptions; _mandateWorker: { get(): Promise<RunningMandate> } };

export const test: TestType<PlaywrightTestArgs & PlaywrightTestOptions & MandateTestArgs, PlaywrightWorkerArgs & PlaywrightWorkerOptions & MandateWorkerArgs> =
  playwright.test.extend<MandateTestArgs & { context: BrowserContext; page: Page }, MandateWorkerArgs>({
    mandateOptions: [{}, { scope: 'worker', option: true }],
    _mandateWorker: [
      async ({ mandateOptions }, use) => {
        const started: Promise<RunningMandate>[] = [];
        await use({
          get: () => {
            if (started.length === 0) started.push(startMandate(mandateOptions));
            return started[0]!;
          },
        });
        for (const m of started) await (await m).close();
      },
      { scope: 'worker' },
    ],
    mandate: async ({ mandateOptions, _mandateWorker }, use) => {
      if (mandateOptions.scope === 'worker') return use(await _mandateWorker.get());
      const m = await startMandate(mandateOptions);
      await use(m);
      await m.close();
    },
    context: async ({ mandate }, use) => use(mandate.context),
    page: async ({ mandate }, use) => {
      const page = await mandate.context.newPage();
      await use(page);
      await page.close().catch(() => undefined);
    },
  });

export const expect = playwright.expect.extend(mandateMatchers);
