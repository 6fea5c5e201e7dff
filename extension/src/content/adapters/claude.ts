/**
 * claude.ai: tool permission prompts (allow once / always allow / deny, handbook platforms.md) and the
 * older "Run {tool} from {server}" dialog with "Allow for this chat". No maintained selector set
 * exists for the current web prompt, so besides the selectors in selectors.ts this adapter is
 * tolerant: from a freshly added allow control it climbs to the smallest container that also holds
 * a deny control and some text of its own, and treats that as the card.
 */
import { BUILT_IN, type SiteSelectors } from '../selectors.js';
import { controlLabel, findControl, innermost, isMandateNode, queryAll, readButtons, readNames, type Adapter, type NamePattern } from '../match.js';
import { BUTTONS, labelOf } from '../selectors.js';

const PATTERNS: readonly NamePattern[] = [
  // Older desktop dialog: toolText.match(/Run (\S+) from/) in Richard-Weiss's auto-approve gist
  // (as copied in hnmr293/claude-inspect); the server follows "from".
  /Run (?<tool>\S+) from (?<app>.+?)\s*[.?!]?$/i,
  // Fixture built from the documented structure, 2026-11.
  /Claude wants to use (?<tool>\S+) from (?<app>.+?)\s*[.?!]?$/i,
  /Allow Claude to use (?<app>.+?)\s*\?/i,
];

const MAX_CLIMB = 8;

function hasOwnText(container: Element, buttons: readonly Element[]): boolean {
  let text = container.textContent ?? '';
  for (const b of buttons) text = text.replace(b.textContent ?? '', '');
  return text.replace(/\s+/g, '').length > 0;
}

/** From an allow control, the smallest ancestor that also holds a deny control and some text. */
function climb(start: Element, sel: SiteSelectors): Element | undefined {
  let node = start.parentElement;
  for (let depth = 0; node && node !== document.body && depth < MAX_CLIMB; depth++, node = node.parentElement) {
    const b = readButtons(node, sel);
    if (
      b.deny &&
      hasOwnText(
        node,
        [b.allow, b.always, b.deny].filter((x): x is HTMLElement => x !== undefined),
      )
    )
      return node;
  }
  return undefined;
}

function allowLabels(sel: SiteSelectors): string[] {
  return [...sel.allow, ...sel.alwaysAllow].map(labelOf).filter((l): l is string => l !== undefined);
}

export const claude: Adapter = {
  site: 'claude',
  findCards(root, sel, fresh) {
    const matched = queryAll(root, sel.card).filter((el) => {
      const b = readButtons(el, sel);
      return (b.allow !== undefined || b.always !== undefined) && b.deny !== undefined;
    });
    const labels = allowLabels(sel);
    const climbed: Element[] = [];
    for (const added of fresh) {
      if (!added.isConnected) continue;
      const controls = added.matches(BUTTONS) ? [added] : [...added.querySelectorAll(BUTTONS)];
      for (const control of controls) {
        if (isMandateNode(control) || matched.some((m) => m.contains(control))) continue;
        if (!labels.includes(controlLabel(control)) && !findControl(control, [...sel.allow, ...sel.alwaysAllow])) continue;
        const card = climb(control, sel);
        if (card && !climbed.includes(card)) climbed.push(card);
      }
    }
    return innermost([...matched, ...climbed.filter((c) => !matched.some((m) => c.contains(m)))]);
  },
  read(card, sel) {
    return { ...readNames(card, sel, BUILT_IN.claude, PATTERNS), buttons: readButtons(card, sel) };
  },
};
