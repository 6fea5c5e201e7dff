/**
 * What every site adapter shares: the adapter interface and small DOM helpers that apply the ordered
 * selector lists from selectors.ts. Read-only: nothing here changes the page.
 */
import type { ChatSite } from '#shared/protocol.js';
import { BUTTONS, MANDATE_ATTR, labelOf, normalize, type SiteSelectors } from './selectors.js';

export interface CardButtons {
  allow?: HTMLElement;
  always?: HTMLElement;
  deny?: HTMLElement;
}

export interface CardReading {
  app?: string;
  tool?: string;
  buttons: CardButtons;
}

/** One per site (adapters/<site>.ts). `fresh` holds the elements added since the last scan. */
export interface Adapter {
  readonly site: ChatSite;
  findCards(root: Document | Element, sel: SiteSelectors, fresh: readonly Element[]): Element[];
  read(card: Element, sel: SiteSelectors): CardReading;
}

/** Named groups `app` and/or `tool` pull the names out of the card's sentence. */
export type NamePattern = RegExp;

const MARKED = `[${MANDATE_ATTR}]`;

export function isMandateNode(el: Element): boolean {
  return el.closest(MARKED) !== null;
}

/** The label a person reads on a control: aria-label, else its text; trimmed, lower-case. */
export function controlLabel(el: Element): string {
  return normalize(el.getAttribute('aria-label') ?? el.textContent ?? '');
}

/** Every element an ordered list matches under root, in list order, skipping invalid CSS. */
export function queryAll(root: Document | Element, entries: readonly string[]): Element[] {
  const out: Element[] = [];
  for (const entry of entries) {
    if (labelOf(entry) !== undefined) continue;
    try {
      for (const el of root.querySelectorAll(entry)) if (!out.includes(el) && !isMandateNode(el)) out.push(el);
    } catch {
      // an invalid selector is skipped; selectors.ts warns about invalid overrides
    }
  }
  return out;
}

export function safeMatches(el: Element, selector: string): boolean {
  try {
    return el.matches(selector);
  } catch {
    return false;
  }
}

function controlsIn(root: Element): HTMLElement[] {
  const all = [...root.querySelectorAll<HTMLElement>(BUTTONS)];
  if (root instanceof HTMLElement && safeMatches(root, BUTTONS)) all.unshift(root);
  return all.filter((b) => !isMandateNode(b));
}

/** The first control the ordered entries find in card: `text=` by exact label, else CSS. */
export function findControl(card: Element, entries: readonly string[], skip: readonly Element[] = []): HTMLElement | undefined {
  const controls = controlsIn(card);
  for (const entry of entries) {
    const label = labelOf(entry);
    let hit: Element | null | undefined;
    if (label !== undefined) hit = controls.find((b) => !skip.includes(b) && controlLabel(b) === label);
    else {
      try {
        hit = [...card.querySelectorAll(entry)].find((el) => !skip.includes(el) && !isMandateNode(el));
      } catch {
        hit = undefined;
      }
    }
    if (hit instanceof HTMLElement) return hit;
  }
  return undefined;
}

/** "Always allow" first, so a short "Allow" entry can never pick it. */
export function readButtons(card: Element, sel: SiteSelectors): CardButtons {
  const always = findControl(card, sel.alwaysAllow);
  const allow = findControl(card, sel.allow, always ? [always] : []);
  const deny = findControl(
    card,
    sel.deny,
    [always, allow].filter((b): b is HTMLElement => b !== undefined),
  );
  return { ...(allow && { allow }), ...(always && { always }), ...(deny && { deny }) };
}

/** Keeps the innermost of nested candidates: the smallest element that is the card. */
export function innermost(elements: readonly Element[]): Element[] {
  return elements.filter((el) => !elements.some((other) => other !== el && el.contains(other)));
}

function linesOf(el: Element): string[] {
  const text = el instanceof HTMLElement ? el.innerText : (el.textContent ?? '');
  return text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l.length > 0);
}

const clip = (s: string | undefined) => {
  const v = s?.replace(/^["“”'‘’]+|["“”'‘’]+$/g, '').trim();
  return v ? v.slice(0, 200) : undefined;
};

/**
 * Reads app and tool names: first from elements the ordered entries name (their text run through
 * the patterns), then from the card's own lines. An element named by a policy entry that the
 * patterns do not recognise is taken as the name itself.
 */
export function readNames(card: Element, sel: SiteSelectors, builtIn: SiteSelectors, patterns: readonly NamePattern[]): { app?: string; tool?: string } {
  let app: string | undefined;
  let tool: string | undefined;
  const fromLines = (lines: string[]) => {
    for (const line of lines)
      for (const p of patterns) {
        const g = p.exec(line)?.groups;
        if (!g) continue;
        app ??= clip(g.app);
        tool ??= clip(g.tool);
        if (app) return true;
      }
    return false;
  };
  for (const [key, own] of [
    ['appName', true],
    ['toolName', false],
  ] as const) {
    for (const entry of sel[key]) {
      for (const el of queryAll(card, [entry])) {
        const lines = linesOf(el);
        if (own && !app && fromLines(lines)) break;
        if (!builtIn[key].includes(entry) && lines[0]) {
          if (own) app ??= clip(lines[0]);
          else tool ??= clip(lines[0]);
        }
      }
    }
  }
  if (!app) fromLines(linesOf(card));
  return { ...(app && { app }), ...(tool && { tool }) };
}
