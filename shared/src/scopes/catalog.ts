/**
 * The scope catalog: turns OAuth scope strings into plain-words descriptions with a risk level,
 * so people can see what an agent is asking to do before they agree.
 *
 * The data lives in `catalog.json` (one entry per line, reviewed like code) and is validated once,
 * when this module loads: a bad entry fails loudly at start-up instead of showing a person a wrong
 * or empty description. Every lookup goes through a `Map` built here, so hostile scope strings such
 * as `__proto__` or `constructor` can never reach `Object.prototype`.
 */
import * as z from 'zod';
import data from './catalog.json' with { type: 'json' };
import { showText } from '../text.js';

import { RISK_ORDER, type Risk, type RiskOrUnknown } from './risk.js';

export { RISK_ORDER, type Risk, type RiskOrUnknown };

export interface ScopeInfo {
  /** The scope exactly as it was asked for (the UI shows it verbatim beside the description). */
  scope: string;
  known: boolean;
  /** Provider id from the catalog (`google`, `github`, …), or null when unknown. */
  provider: string | null;
  providerName: string | null;
  service: string | null;
  description: string;
  risk: RiskOrUnknown;
}

export interface CatalogProvider {
  readonly name: string;
  readonly hosts: readonly string[];
}

export interface CatalogEntry {
  readonly scope: string;
  readonly provider: string;
  readonly service: string;
  readonly description: string;
  readonly risk: Risk;
}

export interface Catalog {
  readonly providers: ReadonlyMap<string, CatalogProvider>;
  readonly scopes: readonly CatalogEntry[];
}

/** The longest description the UI lays out without wrapping badly. */
export const MAX_DESCRIPTION_LENGTH = 90;
/** How much of an unrecognised scope is repeated inside its description. */
export const UNKNOWN_SCOPE_DISPLAY_LENGTH = 80;
/** The provider preferred when a scope string is shared and no hint picks one. */
const STANDARD_PROVIDER = 'oidc';
/**
 * Microsoft identity platform clients often ask for Graph permissions fully qualified
 * (`https://graph.microsoft.com/Mail.Read`); those are the same permission as `Mail.Read`.
 */
const MICROSOFT_PROVIDER = 'microsoft';
const MICROSOFT_GRAPH_PREFIX = 'https://graph.microsoft.com/';
const MICROSOFT_DEFAULT = '.default';
const GOOGLE_PROVIDER = 'google';
const GOOGLE_SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

const HOSTNAME_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const PROVIDER_ID_RE = /^[a-z][a-z0-9-]{0,31}$/;
/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_RE = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;

const descriptionSchema = z
  .string()
  .min(1)
  .max(MAX_DESCRIPTION_LENGTH)
  .refine((d) => /^\p{Lu}/u.test(d), 'must start with an uppercase letter')
  .refine((d) => !d.endsWith('.'), 'must not end with a period')
  .refine((d) => d.trim() === d && !/\s{2}/.test(d), 'must not have stray whitespace');

const providerSchema = z.strictObject({
  name: z.string().min(1).max(60),
  hosts: z.array(z.string().regex(HOSTNAME_RE, 'must be a lowercase hostname')),
});

const entrySchema = z.strictObject({
  scope: z.string().regex(SCOPE_RE, 'must be a valid scope token'),
  provider: z.string().regex(PROVIDER_ID_RE),
  service: z.string().min(1).max(60),
  description: descriptionSchema,
  risk: z.enum(RISK_ORDER),
});

const catalogSchema = z
  .strictObject({
    providers: z.record(z.string().regex(PROVIDER_ID_RE), providerSchema),
    scopes: z.array(entrySchema),
  })
  .superRefine((catalog, ctx) => {
    const providerIds = new Set(Object.keys(catalog.providers));
    const pairs = new Set<string>();
    catalog.scopes.forEach((entry, i) => {
      if (!providerIds.has(entry.provider)) {
        ctx.addIssue({ code: 'custom', path: ['scopes', i, 'provider'], message: `unknown provider "${entry.provider}"` });
      }
      const pair = `${entry.provider}\u0000${entry.scope}`;
      if (pairs.has(pair)) {
        ctx.addIssue({ code: 'custom', path: ['scopes', i, 'scope'], message: `"${entry.scope}" is listed twice for ${entry.provider}` });
      }
      pairs.add(pair);
    });
    const hostOwners = new Map<string, string>();
    for (const [id, provider] of Object.entries(catalog.providers)) {
      for (const host of provider.hosts) {
        const owner = hostOwners.get(host);
        if (owner !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['providers', id, 'hosts'], message: `host ${host} is also listed for ${owner}` });
        }
        hostOwners.set(host, id);
      }
    }
  });

/** Validates raw catalog data; throws a `ZodError` naming every problem. */
export function parseCatalog(raw: unknown): Catalog {
  const parsed = catalogSchema.parse(raw);
  const providers = new Map<string, CatalogProvider>();
  for (const [id, p] of Object.entries(parsed.providers)) {
    providers.set(id, Object.freeze({ name: p.name, hosts: Object.freeze([...p.hosts]) }));
  }
  const scopes = Object.freeze(parsed.scopes.map((e) => Object.freeze({ ...e })));
  return Object.freeze({ providers, scopes });
}

/**
 * The same rules as `catalogSchema`, checked with plain loops: the popup and review page load the
 * catalog on every open, and zod takes far longer over ~2,000 entries. Tests check both agree.
 */
export function loadCatalog(raw: typeof data): Catalog {
  const fail = (where: string): never => {
    throw new TypeError(`scope catalog: bad ${where}`);
  };
  const providers = new Map<string, CatalogProvider>();
  const hostOwners = new Set<string>();
  for (const [id, p] of Object.entries(raw.providers)) {
    if (!PROVIDER_ID_RE.test(id) || typeof p.name !== 'string' || p.name.length === 0 || p.name.length > 60) fail(`provider ${id}`);
    for (const host of p.hosts) {
      if (typeof host !== 'string' || !HOSTNAME_RE.test(host) || hostOwners.has(host)) fail(`host ${String(host)}`);
      hostOwners.add(host);
    }
    providers.set(id, Object.freeze({ name: p.name, hosts: Object.freeze([...p.hosts]) }));
  }
  const pairs = new Set<string>();
  const scopes = raw.scopes.map((e) => {
    const pair = `${e.provider}\u0000${e.scope}`;
    const d = e.description;
    const ok =
      typeof e.scope === 'string' &&
      SCOPE_RE.test(e.scope) &&
      providers.has(e.provider) &&
      typeof e.service === 'string' &&
      e.service.length > 0 &&
      e.service.length <= 60 &&
      typeof d === 'string' &&
      d.length > 0 &&
      d.length <= MAX_DESCRIPTION_LENGTH &&
      /^\p{Lu}/u.test(d) &&
      !d.endsWith('.') &&
      d.trim() === d &&
      !/\s{2}/.test(d) &&
      (RISK_ORDER as readonly string[]).includes(e.risk) &&
      !pairs.has(pair);
    if (!ok) fail(`entry ${String(e.provider)} ${String(e.scope)}`);
    pairs.add(pair);
    return Object.freeze({ scope: e.scope, provider: e.provider, service: e.service, description: d, risk: e.risk as Risk });
  });
  return Object.freeze({ providers, scopes: Object.freeze(scopes) });
}

/** The validated catalog, in file order. */
export const SCOPE_CATALOG: Catalog = loadCatalog(data);

/** Every entry for a scope string, in catalog order. */
const entriesByScope = new Map<string, CatalogEntry[]>();
/**
 * Other spellings of the same scope: Google's short forms (`gmail.readonly` for
 * `https://www.googleapis.com/auth/gmail.readonly`) and fully qualified Microsoft Graph names.
 */
const entriesByAlias = new Map<string, CatalogEntry[]>();
/** Microsoft's identity platform compares permission names case-insensitively: lower-cased name → entry. */
const microsoftByFoldedName = new Map<string, CatalogEntry>();
const providerByHost = new Map<string, string>();

function addTo(map: Map<string, CatalogEntry[]>, key: string, entry: CatalogEntry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

for (const entry of SCOPE_CATALOG.scopes) {
  addTo(entriesByScope, entry.scope, entry);
  if (entry.provider === MICROSOFT_PROVIDER) {
    addTo(entriesByAlias, MICROSOFT_GRAPH_PREFIX + entry.scope, entry);
    if (!microsoftByFoldedName.has(entry.scope.toLowerCase())) microsoftByFoldedName.set(entry.scope.toLowerCase(), entry);
  }
  if (entry.provider === GOOGLE_PROVIDER && entry.scope.startsWith(GOOGLE_SCOPE_PREFIX)) {
    addTo(entriesByAlias, entry.scope.slice(GOOGLE_SCOPE_PREFIX.length), entry);
  }
}
for (const [id, provider] of SCOPE_CATALOG.providers) {
  for (const host of provider.hosts) providerByHost.set(host, id);
}

/**
 * Microsoft's rules: `https://graph.microsoft.com/` prefix optional, names compared without case,
 * and any `<resource>/.default` means "everything this app was pre-approved for".
 */
function microsoftEntry(scope: string, providerHint: string | undefined): CatalogEntry | undefined {
  const lower = scope.toLowerCase();
  const qualified = lower.startsWith(MICROSOFT_GRAPH_PREFIX);
  // A bare name is folded only at Microsoft's own sign-in pages: elsewhere `files.read` may be another provider's.
  if (!qualified && providerHint !== MICROSOFT_PROVIDER && !lower.endsWith(`/${MICROSOFT_DEFAULT}`) && lower !== MICROSOFT_DEFAULT) return undefined;
  const name = qualified ? lower.slice(MICROSOFT_GRAPH_PREFIX.length) : lower;
  if (name === MICROSOFT_DEFAULT || name.endsWith(`/${MICROSOFT_DEFAULT}`)) return microsoftByFoldedName.get(MICROSOFT_DEFAULT);
  return microsoftByFoldedName.get(name);
}

/** O(1): a few map look-ups, whatever the size of the catalog. */
function entriesFor(scope: string, providerHint: string | undefined): readonly CatalogEntry[] | undefined {
  const direct = entriesByScope.get(scope) ?? entriesByAlias.get(scope);
  if (direct) return direct;
  const microsoft = microsoftEntry(scope, providerHint);
  return microsoft ? [microsoft] : undefined;
}

/**
 * Describes one scope. Exact match on the scope string, then the provider's other spellings
 * (Google short forms, Microsoft's qualified and case-folded names, `.default`). When several
 * providers define the same string, `providerHint` (a provider id) wins, then the standard
 * OpenID/OAuth meaning, then the first in catalog order.
 */
export function describeScope(scope: string, providerHint?: string): ScopeInfo {
  const entries = entriesFor(scope, providerHint);
  const entry = entries ? pick(entries, providerHint) : undefined;
  if (!entry) {
    return {
      scope,
      known: false,
      provider: null,
      providerName: null,
      service: null,
      description: `Unrecognised permission "${displayable(scope)}"`,
      risk: 'unknown',
    };
  }
  return {
    scope,
    known: true,
    provider: entry.provider,
    providerName: SCOPE_CATALOG.providers.get(entry.provider)?.name ?? null,
    service: entry.service,
    description: entry.description,
    risk: entry.risk,
  };
}

/** Describes each scope, in the order given. */
export function describeScopes(scopes: readonly string[], providerHint?: string): ScopeInfo[] {
  return scopes.map((s) => describeScope(s, providerHint));
}

/**
 * Seriousness used to summarise a request, least to most serious:
 *
 *   sign-in < read < write < offline < unknown < admin
 *
 * `unknown` is treated as potentially dangerous: a scope we cannot explain could allow anything,
 * so it outranks every known level except `admin` (which already means "could do anything").
 */
const SERIOUSNESS: ReadonlyMap<RiskOrUnknown, number> = new Map<RiskOrUnknown, number>([
  ['sign-in', 0],
  ['read', 1],
  ['write', 2],
  ['offline', 3],
  ['unknown', 4],
  ['admin', 5],
]);

/** The most serious risk among `infos`; an empty list asks for nothing, so it is `sign-in`. */
export function highestRisk(infos: readonly ScopeInfo[]): RiskOrUnknown {
  let worst: RiskOrUnknown = 'sign-in';
  for (const info of infos) {
    if ((SERIOUSNESS.get(info.risk) ?? 0) > (SERIOUSNESS.get(worst) ?? 0)) worst = info.risk;
  }
  return worst;
}

/**
 * The provider whose authorization server this is: the host itself or any subdomain of a listed
 * host, case-insensitively, ignoring a trailing dot. `evilgithub.com` and `github.com.evil.com`
 * do not match `github.com`. Anything that is not a plain hostname (ports, paths, URLs) is null.
 */
export function providerForHost(host: string): string | null {
  // ASCII only, checked before lower-casing: some non-ASCII letters lower-case to ASCII ones.
  if (host.length === 0 || host.length > 254 || !/^[A-Za-z0-9.-]+$/.test(host)) return null;
  let name = host.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || name.startsWith('.') || name.includes('..')) return null;
  for (;;) {
    const id = providerByHost.get(name);
    if (id !== undefined) return id;
    const dot = name.indexOf('.');
    if (dot < 0) return null;
    name = name.slice(dot + 1);
  }
}

/**
 * True when the request only identifies the person: every scope is known and `sign-in`.
 * An empty list is not "sign-in only" (there is nothing to vouch for).
 */
export function isSignInOnly(scopes: readonly string[]): boolean {
  return scopes.length > 0 && scopes.every((s) => describeScope(s).risk === 'sign-in');
}

function pick(entries: readonly CatalogEntry[], providerHint: string | undefined): CatalogEntry | undefined {
  if (entries.length > 1) {
    const preferred =
      (providerHint !== undefined ? entries.find((e) => e.provider === providerHint) : undefined) ?? entries.find((e) => e.provider === STANDARD_PROVIDER);
    if (preferred) return preferred;
  }
  return entries[0];
}

/**
 * Makes an unknown scope safe to repeat inside a sentence: at most 80 characters (then `…`), and
 * control or bidirectional-override characters replaced so a crafted scope cannot reorder or hide
 * the surrounding text.
 */
function displayable(scope: string): string {
  let shown = scope.length > UNKNOWN_SCOPE_DISPLAY_LENGTH ? scope.slice(0, UNKNOWN_SCOPE_DISPLAY_LENGTH) : scope;
  // Do not leave half of a surrogate pair at the cut.
  if (shown.length < scope.length && /[\uD800-\uDBFF]$/.test(shown)) shown = shown.slice(0, -1);
  shown = showText(shown);
  return shown.length < scope.length ? `${shown}…` : shown;
}
