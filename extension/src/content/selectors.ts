/**
 * Every selector the in-chat adapters use (flow E), per site and per key, each an ordered list of
 * fallbacks: the first entry that matches wins. Chat UIs change often, so every entry says where it
 * came from, and managed policy can put its own entries in front (`selectorOverrides`, keys such as
 * `chatgpt.card` or `claude.deny`) to fix a break without a release.
 *
 * An entry is either a CSS selector, or `text=<label>`: a button whose visible label (aria-label or
 * text, trimmed, case-insensitive) equals <label>. Labels outlive class names, so button keys list
 * labels first; a policy can add labels for other UI languages the same way.
 */
import type { ChatSite } from '#shared/protocol.js';

export const SELECTOR_KEYS = ['card', 'appName', 'toolName', 'allow', 'alwaysAllow', 'deny'] as const;
export type SelectorKey = (typeof SELECTOR_KEYS)[number];
export type SiteSelectors = Readonly<Record<SelectorKey, readonly string[]>>;

const CHATGPT: SiteSelectors = {
  card: [
    // miuuyy/codex-chatgpt-web src/adapters/chatgpt-web/browser-worker.ts (resolveChatGptToolConfirmation,
    // 2026): page.locator('[role="dialog"], [data-testid="tool-approval-card"]') filtered by
    // "Allow ChatGPT to use {app}?"; also handbook platforms.md. The inline card first, then the dialog.
    '[data-testid="tool-approval-card"]',
    '[role="dialog"]',
    // codex-chatgpt-web treats '[role="dialog"], [role="alertdialog"]' as ChatGPT's blocking dialogs;
    // ecochran76/auracall src/browser/actions/chatgptToolApproval.ts climbs to [aria-modal="true"] too.
    '[role="alertdialog"]',
    '[aria-modal="true"]',
  ],
  appName: [
    // The card says "Allow ChatGPT to use {app}?" (handbook platforms.md); Radix dialog titles are
    // headings. The adapter reads the app out of that sentence, else out of the card's own lines.
    'h1, h2, h3, h4, [role="heading"]',
  ],
  toolName: [
    // No documented element names the tool on ChatGPT cards (2026-11); a policy may add one.
  ],
  allow: [
    // "Allow once", relabelled "Allow" in 2026: handbook platforms.md; codex-chatgpt-web matches
    // /^Allow(?: once)?$/ for the one-shot action (browser-worker.ts, 2026).
    'text=Allow',
    'text=Allow once',
    // "Allow this conversation": OpenAI's Codex app consent for "Allow ChatGPT to use {app}?", seen
    // 2026-07-30 in a public project's test fixture; not yet seen on chatgpt.com. Drop by 2027-06 if never.
    'text=Allow this conversation',
    'text=Allow for this chat',
  ],
  alwaysAllow: [
    // handbook platforms.md; ecochran76/auracall chatgptToolApproval.ts matches the exact label "always allow".
    'text=Always allow',
    // Seen as "Allow always" in a public automation script's comment (2026); drop by 2027-06 if unseen.
    'text=Allow always',
  ],
  deny: [
    // handbook platforms.md.
    'text=Deny',
    // Unverified wording variants (2026-11 guesses, harmless if absent); drop by 2027-06 if never seen.
    'text=Don’t allow',
    "text=Don't allow",
    'text=Decline',
  ],
};

const CLAUDE: SiteSelectors = {
  card: [
    // Unverified guesses at test ids (2026-11): no maintained selector set exists for the current
    // claude.ai prompt (handbook platforms.md). The fixture built from the documented structure matches
    // none of these on purpose: the adapter's climb from the buttons is what finds it.
    '[data-testid*="tool-permission"]',
    '[data-testid*="permission-prompt"]',
    '[data-testid*="tool-approval"]',
    // Older Claude desktop builds: document.querySelector('[role="dialog"]'), Richard-Weiss's
    // claude_mcp_auto_approve.js gist as copied in hnmr293/claude-inspect src/claude_inspect/js/auto-approve.js.
    '[role="dialog"]',
    '[role="alertdialog"]',
    '[aria-modal="true"]',
  ],
  appName: [
    // Same sources: the prompt reads "Run {tool} from {server}" (older desktop) or, in the fixture
    // built from the documented structure (2026-11), "Claude wants to use {tool} from {server}".
    'h1, h2, h3, h4, [role="heading"]',
    'button div',
  ],
  toolName: [
    // The tool comes out of the same sentence as the server (see appName); a policy may name an element.
  ],
  allow: [
    // handbook platforms.md: allow once / always allow / deny; "Allow for This Chat" on older desktop
    // builds (Richard-Weiss gist, via hnmr293/claude-inspect).
    'text=Allow once',
    'text=Allow',
    'text=Allow for this chat',
  ],
  alwaysAllow: [
    // handbook platforms.md: per-tool "Always allow" or "Block".
    'text=Always allow',
    // Unverified wording variant (2026-11); drop by 2027-06 if never seen.
    'text=Allow always',
  ],
  deny: [
    // handbook platforms.md.
    'text=Deny',
    'text=Block',
    // Unverified wording variants (2026-11 guesses); drop by 2027-06 if never seen.
    'text=Don’t allow',
    "text=Don't allow",
    'text=Decline',
  ],
};

export const BUILT_IN: Readonly<Record<ChatSite, SiteSelectors>> = { chatgpt: CHATGPT, claude: CLAUDE };

/** Controls the adapters treat as buttons when matching `text=` entries. */
export const BUTTONS = 'button, [role="button"]';

/** Marks every node Mandate inserts, so re-scans and button lookups skip them. */
export const MANDATE_ATTR = 'data-mandate';

/** A `text=` entry's label, or undefined for a CSS entry. */
export function labelOf(entry: string): string | undefined {
  return entry.startsWith('text=') ? normalize(entry.slice(5)) : undefined;
}

export function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** True if the entry can be used: a non-empty label, or CSS the browser accepts. */
export function isUsableEntry(entry: string, doc: Document = document): boolean {
  const label = labelOf(entry);
  if (label !== undefined) return label.length > 0;
  try {
    doc.querySelector(entry);
    return entry.trim().length > 0;
  } catch {
    return false;
  }
}

/**
 * The selectors for a site with policy overrides (`<site>.<key>`) in front of the built-ins.
 * Invalid overrides are dropped with a warning; unknown keys are ignored.
 */
export function resolveSelectors(site: ChatSite, overrides: Readonly<Record<string, readonly string[]>>, doc: Document = document): SiteSelectors {
  const base = BUILT_IN[site];
  const out = {} as Record<SelectorKey, readonly string[]>;
  for (const key of SELECTOR_KEYS) {
    const extra = overrides[`${site}.${key}`] ?? [];
    const usable = extra.filter((entry) => {
      const ok = typeof entry === 'string' && isUsableEntry(entry, doc);
      if (!ok) console.warn(`[mandate] ignored invalid selector override for ${site}.${key}: ${String(entry).slice(0, 100)}`);
      return ok;
    });
    out[key] = [...new Set([...usable, ...base[key]])];
  }
  return out;
}
