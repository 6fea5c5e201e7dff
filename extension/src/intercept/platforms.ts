/**
 * Agent platforms, recognised by where the provider sends the person back (`redirect_uri`).
 * Patterns are URLs without query or fragment; `*` matches within the path (or, after `:`, a port).
 * Sources: ../shared/handbook/platforms.md (ChatGPT, Claude, local MCP clients), checked 2026-11.
 */
export interface Platform {
  id: string;
  label: string;
  patterns: readonly string[];
}

export const BUILTIN_PLATFORMS: readonly Platform[] = [
  {
    id: 'chatgpt',
    label: 'ChatGPT',
    patterns: [
      'https://chatgpt.com/connector/oauth/*',
      'https://chatgpt.com/connector_platform_oauth_redirect',
      'https://chat.openai.com/connector/oauth/*',
      'https://chat.openai.com/connector_platform_oauth_redirect',
    ],
  },
  { id: 'claude', label: 'Claude', patterns: ['https://claude.ai/api/mcp/auth_callback', 'https://claude.com/api/mcp/auth_callback'] },
  {
    id: 'local',
    label: 'Local agent or MCP client',
    // Any loopback redirect (RFC 8252 §7.3: any port, any path, with or without a port), and any
    // private-use scheme (RFC 8252 §7.1, e.g. cursor://, vscode://): only a program on this machine receives them.
    patterns: ['http://localhost/*', 'http://127.0.0.1/*', 'http://[::1]/*', '<app>://*'],
  },
];

const LOCAL = BUILTIN_PLATFORMS[2]!;
/** Schemes that can never be a redirect a person's agent receives. */
const NOT_A_REDIRECT = new Set([
  'javascript:',
  'data:',
  'blob:',
  'file:',
  'about:',
  'filesystem:',
  'view-source:',
  'chrome:',
  'chrome-extension:',
  'moz-extension:',
]);

/** True for localhost, 127.0.0.0/8 and [::1], however the host was written (URL has already normalised it). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '[::1]' || h === '[0:0:0:0:0:0:0:1]';
}

/** A pattern someone may add (options or managed policy): an absolute http(s) URL, optional `*` wildcards. */
export const PATTERN_RE = /^https?:\/\/(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:(\*|\d{1,5}))?\/[^\s?#]*$/i;

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Splits a pattern into scheme + authority (where `*` can only be a port) and path (where `*` is any run). */
function split(pattern: string): { origin: string; path: string } {
  const m = /^(https?:\/\/[^/]+)(\/.*)$/i.exec(pattern);
  if (!m) throw new TypeError(`not a redirect pattern: ${pattern}`);
  return { origin: m[1]!, path: m[2]! };
}

/** Regex for a pattern applied to a decoded redirect URI's `origin + pathname`. */
export function patternRegex(pattern: string): RegExp {
  const { origin, path } = split(pattern);
  const o = escapeRe(origin).replace(/:\\\*$/, ':\\d{1,5}');
  const q = path.split('*').map(escapeRe).join('[^?#]*');
  return new RegExp(`^${o}${q}$`, 'i');
}

export interface MatchedPlatform {
  id: string;
  label: string;
  pattern: string;
}

/** Built-in web patterns (ChatGPT, Claude), compiled once; loopback and app schemes are checked by host and scheme. */
const BUILTIN_MATCHERS = BUILTIN_PLATFORMS.filter((p) => p !== LOCAL).flatMap((p) => p.patterns.map((pattern) => ({ p, pattern, re: patternRegex(pattern) })));

/** Percent-decodes a path as far as it goes (at most a few rounds), so `%2F%61pi` is compared as `/api`. */
function decodedPath(path: string): string {
  let current = path;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      next = current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * The forms of a redirect's path a provider may compare with what the app registered: as written, and
 * decoded. A platform matches if any of them does (errs toward review).
 */
function pathForms(url: URL): string[] {
  return [...new Set([url.pathname, decodedPath(url.pathname)])];
}

/**
 * Which platform a redirect URI belongs to, if any. `custom` patterns come from the person or policy;
 * a pattern that is not valid is ignored here and listed by `refusedPatterns` for the person to see.
 */
export function platformFor(redirectUri: URL, custom: readonly string[] = []): MatchedPlatform | undefined {
  if (NOT_A_REDIRECT.has(redirectUri.protocol)) return undefined;
  const web = redirectUri.protocol === 'https:' || redirectUri.protocol === 'http:';
  if (!web) return { id: LOCAL.id, label: `${LOCAL.label} (${redirectUri.protocol}//)`, pattern: '<app>://*' };
  if (isLoopbackHost(redirectUri.hostname)) return { id: LOCAL.id, label: LOCAL.label, pattern: `${redirectUri.protocol}//${redirectUri.hostname}/*` };
  const host = redirectUri.host.replace(/\.(?=:|$)/, ''); // a trailing dot names the same host
  const targets = pathForms(redirectUri).map((path) => `${redirectUri.protocol}//${host}${path}`);
  const builtin = BUILTIN_MATCHERS.find((m) => targets.some((t) => m.re.test(t)));
  if (builtin) return { id: builtin.p.id, label: builtin.p.label, pattern: builtin.pattern };
  for (const pattern of custom) {
    if (PATTERN_RE.test(pattern) && targets.some((t) => patternRegex(pattern).test(t))) {
      const patternHost = new URL(pattern.replace(/\*/g, 'x')).host;
      return { id: `custom:${patternHost}`, label: `Agent at ${patternHost}`, pattern };
    }
  }
  return undefined;
}

/** Patterns from the person or the organisation that Mandate cannot use, to show them where they were set. */
export function refusedPatterns(custom: readonly string[]): string[] {
  return custom.filter((p) => !PATTERN_RE.test(p));
}
