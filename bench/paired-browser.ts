/** The popup benchmarks' browser: Chromium with the built extension, paired with a bench daemon through the options page. */
import type { BrowserContext, Page } from '@playwright/test';
import { launch } from '../e2e/chromium.js';
import type { SpawnedDaemon } from './daemon.js';

export interface PairedBrowser {
  context: BrowserContext;
  extensionId: string;
  /** The options page the pairing went through, still open. */
  options: Page;
  close(): Promise<void>;
}

/** Launches Chromium with `extension` loaded and pairs it with `daemon` as a person would (URL, one-use code, Pair). */
export async function pairedBrowser(extension: string, daemon: SpawnedDaemon): Promise<PairedBrowser> {
  const { context, close } = await launch(extension);
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  const code = await daemon.admin.pairingCode();
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/src/options/index.html`);
  await options.getByLabel('Daemon URL').fill(daemon.url);
  await options.getByLabel('Pairing code').fill(code);
  await options.getByRole('button', { name: 'Pair' }).click();
  await options.getByText('Paired.', { exact: false }).waitFor();
  return { context, extensionId, options, close };
}
