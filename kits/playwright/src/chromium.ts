/** Finding a Chromium to run the extension in, and launching it with the built extension loaded. */
import type { BrowserContext } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUIET_FLAGS } from './flags.js';
import { playwright } from './playwright.js';

export type ChromiumChoice = { executablePath: string } | { channel: 'chrome' | 'msedge' };

/** Where each channel installs on Linux, macOS and Windows (Playwright's own layout). */
const CHANNEL_PATHS: Record<'chrome' | 'msedge', string[]> = {
  chrome: [
    '/opt/google/chrome/chrome',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    join(process.env.PROGRAMFILES ?? 'C:\\Program Files', 'Google\\Chrome\\Application\\chrome.exe'),
  ],
  msedge: [
    '/opt/microsoft/msedge/msedge',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    join(process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)', 'Microsoft\\Edge\\Application\\msedge.exe'),
  ],
};

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * CHROMIUM_PATH, then Playwright's own installed Chromium, then the `chrome` or `msedge` channel, then
 * /usr/bin/chromium. Throws an error that names all four when none is there.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumChoice {
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return { executablePath: fromEnv };
  let bundled: string | undefined;
  try {
    bundled = playwright.chromium.executablePath();
  } catch {
    bundled = undefined;
  }
  if (bundled && existsSync(bundled)) return { executablePath: bundled };
  for (const channel of ['chrome', 'msedge'] as const) if (CHANNEL_PATHS[channel].some((p) => existsSync(p))) return { channel };
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM };
  throw new Error(
    [
      'mandate/playwright found no Chromium. It looked, in order, at:',
      `  1. CHROMIUM_PATH (${fromEnv ? `${fromEnv}: not found` : 'not set'})`,
      `  2. Playwright's own Chromium (${bundled ?? 'not installed'}: run npx playwright install chromium)`,
      '  3. the installed channels "chrome" and "msedge" (none found)',
      `  4. ${SYSTEM_CHROMIUM} (not found: apt-get install chromium)`,
    ].join('\n'),
  );
}

export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh persistent profile with the extension loaded (extensions need a persistent context). */
export async function launchWithExtension(extensionDir: string, opts: { headless: boolean }): Promise<LaunchedChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'mandate-kit-chromium-'));
  const context = await playwright.chromium.launchPersistentContext(profile, {
    ...findChromium(),
    headless: opts.headless,
    args: [...QUIET_FLAGS, `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
