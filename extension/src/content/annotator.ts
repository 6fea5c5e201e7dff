/**
 * What happens to a card once found: the note about what its app was granted, "Always allow" kept off
 * when told to (even if the page flips it back or re-renders), the person's click reported, and repair of
 * cards the page re-rendered.
 */
import type { ContentContext } from '#shared/protocol.js';
import { buildAnnotation, disableAlways, insertAnnotation, isDisabled } from './annotate.js';
import { type Adapter, type CardReading, readButtons, safeMatches } from './match.js';
import { report } from './reporter.js';
import { BUTTONS, MANDATE_ATTR, type SiteSelectors } from './selectors.js';

export function annotator(adapter: Adapter, ctx: ContentContext, sel: SiteSelectors) {
  const site = adapter.site;
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

  return {
    /** Whether this element is, or is inside, a card already handled. */
    insideHandled(el: Element): boolean {
      for (let n: Element | null = el; n; n = n.parentElement) if (handled.has(n)) return true;
      return false;
    },

    handle(card: Element): void {
      const reading = adapter.read(card, sel);
      const { allow, always, deny } = reading.buttons;
      if (!allow && !always && !deny) return; // not rendered yet: the next scan tries again
      handled.add(card);
      live.push({ card, app: reading.app });
      annotate(card, reading);
      if (ctx.disableAlwaysAllow && always) guardAlways(always);
      card.addEventListener('click', onClick(card), true);
      const variant = sel.card.find((s) => safeMatches(card, s)) ?? 'found from its buttons';
      report({
        site,
        kind: 'prompt-seen',
        ...(reading.app && { app: reading.app }),
        ...(reading.tool && { tool: reading.tool }),
        detail: `matched ${variant}`,
      });
    },

    /** Repairs handled cards the page re-rendered: the note back in place, a new "Always allow" off again. */
    maintain(): void {
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
    },
  };
}
