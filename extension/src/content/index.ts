/**
 * Content script for flow E (chatgpt.com, chat.openai.com, claude.ai). It only reads, annotates and
 * reports: it finds tool-approval cards through the site's adapter, shows what that app was granted,
 * reports what it saw and what the person clicked, and — when told to — disables "Always allow".
 * It never approves anything in Mandate (the service worker refuses such messages from here anyway).
 * Nothing in here may break the page: every step is guarded and failures are logged, never thrown.
 */
import type { ContentContext, ContentReport } from '../../../shared/src/protocol.js';
import { send } from '../lib/messaging.js';
import { chatgpt } from './adapters/chatgpt.js';
import { claude } from './adapters/claude.js';
import { buildAnnotation, disableAlways, insertAnnotation, isDisabled } from './annotate.js';
import { controlLabel, isMandateNode, readButtons, safeMatches, type Adapter, type CardReading } from './match.js';
import { BUTTONS, MANDATE_ATTR, resolveSelectors, type SiteSelectors } from './selectors.js';

const ADAPTERS: Readonly<Record<string, Adapter>> = { 'chatgpt.com': chatgpt, 'chat.openai.com': chatgpt, 'claude.ai': claude };

/** Until the service worker answers (or if it cannot): annotate with "no record", disable nothing. */
const FALLBACK: ContentContext = { grants: [], disableAlwaysAllow: false, reason: '', selectorOverrides: {} };
const CONTEXT_TIMEOUT_MS = 5000;
const DEBOUNCE_MS = 150;
const MAX_WAIT_MS = 600;
const MAX_FRESH = 300;

const ALLOWISH = /^(allow|always allow|allow once|allow always|approve|permit)\b/;
const DENYISH = /^(deny|block|decline|reject|don[’']?t allow)\b/;

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

function report(r: ContentReport): void {
  const clipped: ContentReport = {
    ...r,
    ...(r.app !== undefined && { app: r.app.slice(0, 200) }),
    ...(r.tool !== undefined && { tool: r.tool.slice(0, 200) }),
    ...(r.detail !== undefined && { detail: r.detail.slice(0, 300) }),
  };
  send('content.report', clipped).catch(() => undefined);
}

function start(adapter: Adapter, ctx: ContentContext): void {
  const site = adapter.site;
  const sel: SiteSelectors = resolveSelectors(site, ctx.selectorOverrides);
  const handled = new WeakSet<Element>();
  const decided = new WeakSet<Element>();
  /** Handled cards still on the page, with what their note says, so a re-render can be repaired. */
  const live: { card: Element; app: string | undefined }[] = [];
  // "Always allow" stays off even if the page flips the attributes back.
  const guard = new MutationObserver((records) => {
    for (const r of records) if (r.target instanceof HTMLElement && !isDisabled(r.target)) disableAlways(r.target);
  });
  const guardAlways = (always: HTMLElement) => {
    disableAlways(always);
    guard.observe(always, { attributes: true, attributeFilter: ['disabled', 'aria-disabled'] });
  };
  let missReported = false;

  const insideHandled = (el: Element): boolean => {
    for (let n: Element | null = el; n; n = n.parentElement) if (handled.has(n)) return true;
    return false;
  };

  const onClick = (card: Element) => (event: Event) => {
    const target = event.target instanceof Element ? event.target.closest(BUTTONS) : null;
    if (!target || !card.contains(target)) return;
    const b = readButtons(card, sel);
    if (ctx.disableAlwaysAllow && target === b.always) {
      // Disabled by policy: a click on it (or on a child, or after a re-render) must not reach the page.
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    const decision = target === b.always ? 'always' : target === b.allow ? 'allow' : target === b.deny ? 'deny' : undefined;
    if (!decision || !event.isTrusted || decided.has(card)) return;
    decided.add(card);
    const { app, tool } = adapter.read(card, sel);
    report({ site, kind: 'decision', decision, ...(app && { app }), ...(tool && { tool }) });
  };

  const annotate = (card: Element, reading: CardReading) =>
    insertAnnotation(
      card,
      reading.buttons,
      buildAnnotation({
        app: reading.app,
        grants: ctx.grants,
        alwaysDisabled: ctx.disableAlwaysAllow && reading.buttons.always !== undefined,
        reason: ctx.reason,
      }),
    );

  function handle(card: Element): void {
    const reading = adapter.read(card, sel);
    const { allow, always, deny } = reading.buttons;
    if (!allow && !always && !deny) return; // not rendered yet: the next scan tries again
    handled.add(card);
    live.push({ card, app: reading.app });
    annotate(card, reading);
    if (ctx.disableAlwaysAllow && always) guardAlways(always);
    card.addEventListener('click', onClick(card), true);
    const variant = sel.card.find((s) => safeMatches(card, s)) ?? 'found from its buttons';
    report({ site, kind: 'prompt-seen', ...(reading.app && { app: reading.app }), ...(reading.tool && { tool: reading.tool }), detail: `matched ${variant}` });
  }

  /** Repairs handled cards the page re-rendered: the note back in place, a new "Always allow" off again. */
  function maintain(): void {
    for (let i = live.length - 1; i >= 0; i--) {
      const entry = live[i];
      if (!entry?.card.isConnected) {
        live.splice(i, 1);
        continue;
      }
      const buttons = readButtons(entry.card, sel);
      if (!entry.card.querySelector(`[${MANDATE_ATTR}="note"]`)) annotate(entry.card, { app: entry.app, buttons });
      if (ctx.disableAlwaysAllow && buttons.always && !isDisabled(buttons.always)) guardAlways(buttons.always);
    }
  }

  /** Something that looks like an approval prompt (allow + deny controls together) outside any card. */
  function unmatchedPrompt(fresh: readonly Element[]): string | undefined {
    for (const root of fresh) {
      if (!root.isConnected) continue;
      const controls = safeMatches(root, BUTTONS) ? [root] : [...root.querySelectorAll(BUTTONS)];
      for (const control of controls) {
        if (!ALLOWISH.test(controlLabel(control)) || isMandateNode(control) || insideHandled(control)) continue;
        let box = control.parentElement;
        for (let depth = 0; box && depth < 6; depth++, box = box.parentElement) {
          const labels = [...box.querySelectorAll(BUTTONS)].map(controlLabel);
          if (labels.some((l) => DENYISH.test(l))) {
            const role = box.closest('[role="dialog"], [role="alertdialog"]') ? 'a dialog' : `<${box.tagName.toLowerCase()}>`;
            return `no card selector matched an approval prompt in ${role} with buttons: ${labels.slice(0, 6).join(', ')}`;
          }
        }
      }
    }
    return undefined;
  }

  function scan(fresh: readonly Element[]): void {
    for (const card of adapter.findCards(document, sel, fresh)) if (!insideHandled(card)) handle(card);
    maintain();
    if (missReported) return;
    const miss = unmatchedPrompt(fresh);
    if (miss) {
      missReported = true;
      console.warn(`[mandate] adapter did not match: ${site} ${miss}`);
      report({ site, kind: 'adapter-miss', detail: miss });
    }
  }

  // One observer, debounced (with a ceiling, so a streaming answer cannot postpone a scan forever).
  let fresh: Element[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstAt = 0;
  const run = () => {
    timer = undefined;
    const batch = fresh;
    fresh = [];
    try {
      scan(batch);
    } catch (e) {
      console.warn('[mandate] scan failed:', e);
    }
  };
  const schedule = () => {
    const now = performance.now();
    if (timer === undefined) firstAt = now;
    else if (now - firstAt >= MAX_WAIT_MS) return;
    else clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  };
  const observer = new MutationObserver((records) => {
    let relevant = false;
    for (const r of records)
      for (const node of r.addedNodes) {
        const el = node instanceof Element ? node : node.parentElement;
        if (!el || el.hasAttribute(MANDATE_ATTR)) continue;
        relevant = true;
        if (fresh[0] === document.body) continue; // already scanning everything
        if (fresh.length < MAX_FRESH) fresh.push(el);
        else fresh = [document.body];
      }
    if (relevant) schedule();
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  fresh.push(document.body);
  run();
}

const adapter = ADAPTERS[location.host];
if (adapter) {
  loadContext(adapter)
    .then((ctx) => start(adapter, ctx))
    .catch((e: unknown) => console.warn('[mandate] in-chat adapter stopped:', e));
}
