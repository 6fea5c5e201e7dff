/**
 * chatgpt.com (and chat.openai.com): tool-approval cards, inline (`data-testid="tool-approval-card"`)
 * or as a dialog, reading "Allow ChatGPT to use {app}?" with Allow / Always allow / Deny
 * (handbook platforms.md; miuuyy/codex-chatgpt-web browser-worker.ts). Cards are found by the
 * selectors in selectors.ts only: when ChatGPT changes its markup the adapter misses (and says so)
 * rather than guessing, and a policy override fixes it.
 */
import { BUILT_IN } from '../selectors.js';
import { innermost, queryAll, readButtons, readNames, type Adapter, type NamePattern } from '../match.js';

const PATTERNS: readonly NamePattern[] = [
  // handbook platforms.md; codex-chatgpt-web filters dialogs by `Allow ChatGPT to use ${appName}?`
  /Allow ChatGPT to use (?<app>.+?)\s*\?/i,
  // fixture built from the documented structure, 2026-11: a shorter variant of the same sentence
  /ChatGPT wants to use (?<app>.+?)\s*(?:[.?!]|$)/i,
];

export const chatgpt: Adapter = {
  site: 'chatgpt',
  findCards(root, sel) {
    // A card must offer a way to allow and a way to deny: plain dialogs (settings, sharing) do not.
    const candidates = queryAll(root, sel.card).filter((el) => {
      const b = readButtons(el, sel);
      return (b.allow !== undefined || b.always !== undefined) && b.deny !== undefined;
    });
    return innermost(candidates);
  },
  read(card, sel) {
    return { ...readNames(card, sel, BUILT_IN.chatgpt, PATTERNS), buttons: readButtons(card, sel) };
  },
};
