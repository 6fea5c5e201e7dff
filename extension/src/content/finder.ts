/**
 * Finding approval prompts: one MutationObserver, debounced (with a ceiling, so a streaming answer cannot
 * postpone a scan forever), handing each scan the elements added since the last one; and a look for
 * approval-shaped prompts that no card selector matched (reported as an adapter miss).
 */
import { controlLabel, isMandateNode, safeMatches } from './match.js';
import { BUTTONS, MANDATE_ATTR } from './selectors.js';

const DEBOUNCE_MS = 150;
const MAX_WAIT_MS = 600;
const MAX_FRESH = 300;

const ALLOWISH = /^(allow|always allow|allow once|allow always|approve|permit)\b/;
const DENYISH = /^(deny|block|decline|reject|don[’']?t allow)\b/;

/** Calls `scan` at once with the whole page, then with what was added, batched. A failing scan is logged, never thrown. */
export function watchPage(scan: (fresh: readonly Element[]) => void): void {
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

/** Something that looks like an approval prompt (allow + deny controls together) outside any handled card. */
export function unmatchedPrompt(fresh: readonly Element[], handled: (el: Element) => boolean): string | undefined {
  for (const root of fresh) {
    if (!root.isConnected) continue;
    const controls = safeMatches(root, BUTTONS) ? [root] : [...root.querySelectorAll(BUTTONS)];
    for (const control of controls) {
      if (!ALLOWISH.test(controlLabel(control)) || isMandateNode(control) || handled(control)) continue;
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
