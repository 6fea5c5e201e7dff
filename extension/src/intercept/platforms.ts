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
    patterns: ['http://localhost:*/callback', 'http://localhost:*/oauth/callback', 'http://127.0.0.1:*/*', 'http://[::1]:*/*'],
  },
];

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

/** Which platform a redirect URI belongs to, if any. `custom` patterns come from the person or policy. */
/** Built-in patterns, compiled once. */
const BUILTIN_MATCHERS = BUILTIN_PLATFORMS.flatMap((p) => p.patterns.map((pattern) => ({ p, pattern, re: patternRegex(pattern) })));

export function platformFor(redirectUri: URL, custom: readonly string[] = []): MatchedPlatform | undefined {
  const target = `${redirectUri.protocol}//${redirectUri.host}${redirectUri.pathname}`;
  const builtin = BUILTIN_MATCHERS.find((m) => m.re.test(target));
  if (builtin) return { id: builtin.p.id, label: builtin.p.label, pattern: builtin.pattern };
  for (const pattern of custom) {
    if (PATTERN_RE.test(pattern) && patternRegex(pattern).test(target)) {
      const host = new URL(pattern.replace(/\*/g, 'x')).host;
      return { id: `custom:${host}`, label: `Agent at ${host}`, pattern };
    }
  }
  return undefined;
}

export function allPatterns(custom: readonly string[] = []): string[] {
  return [...BUILTIN_PLATFORMS.flatMap((p) => p.patterns), ...custom.filter((p) => PATTERN_RE.test(p))];
}
