/**
 * Content script for flow E (chatgpt.com, chat.openai.com, claude.ai). It only reads, annotates and
 * reports: it finds tool-approval cards through the site's adapter, shows what that app was granted,
 * reports what it saw and what the person clicked, and — when told to — disables "Always allow".
 * It never approves anything in Mandate (the service worker refuses such messages from here anyway).
 * Nothing in here may break the page: every step is guarded and failures are logged, never thrown.
 */
import '../lib/zod-jitless.js';
import type { ContentContext } from '#shared/protocol.js';
import { send } from '../lib/messaging.js';
import { chatgpt } from './adapters/chatgpt.js';
import { claude } from './adapters/claude.js';
import { annotator } from './annotator.js';
import { unmatchedPrompt, watchPage } from './finder.js';
import type { Adapter } from './match.js';
import { report } from './reporter.js';
import { resolveSelectors } from './selectors.js';

const ADAPTERS: Readonly<Record<string, Adapter>> = { 'chatgpt.com': chatgpt, 'chat.openai.com': chatgpt, 'claude.ai': claude };

/** Until the service worker answers (or if it cannot): annotate with "no record", disable nothing. */
const FALLBACK: ContentContext = { grants: [], disableAlwaysAllow: false, reason: '', selectorOverrides: {} };
const CONTEXT_TIMEOUT_MS = 5000;

async function loadContext(adapter: Adapter): Promise<ContentContext> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CONTEXT_TIMEOUT_MS);
  });
  try {
    return await Promise.race([send('content.context', { site: adapter.site }), timeout]);
  } catch (e) {
    console.info(`[mandate] no context for ${adapter.site} (${(e as Error).message}); cards get a plain note`);
    return FALLBACK;
  } finally {
    clearTimeout(timer);
  }
}

/** Finds cards as the page changes, annotates each once, and reports one adapter miss per page at most. */
function start(adapter: Adapter, ctx: ContentContext): void {
  const sel = resolveSelectors(adapter.site, ctx.selectorOverrides);
  const cards = annotator(adapter, ctx, sel);
  let missReported = false;
  watchPage((fresh) => {
    for (const card of adapter.findCards(document, sel, fresh)) if (!cards.insideHandled(card)) cards.handle(card);
    cards.maintain();
    if (missReported) return;
    const miss = unmatchedPrompt(fresh, cards.insideHandled);
    if (miss) {
      missReported = true;
      console.warn(`[mandate] adapter did not match: ${adapter.site} ${miss}`);
      report({ site: adapter.site, kind: 'adapter-miss', detail: miss });
    }
  });
}

const adapter = ADAPTERS[location.host];
if (adapter) {
  loadContext(adapter)
    .then((ctx) => start(adapter, ctx))
    .catch((e: unknown) => console.warn('[mandate] in-chat adapter stopped:', e));
}
