/**
 * Builds the scope catalog from the providers' published inputs, our rules and our hand-written
 * overrides. Pure: the same inputs always give the same catalog, byte for byte (see `serialize`).
 */
import * as z from 'zod';
import { RISK_ORDER } from '../risk.js';
import { RULES, type ScopeFact } from './rules.js';

const factSchema = z.strictObject({
  scope: z.string().min(1),
  api: z.string().optional(),
  delegated: z.boolean().optional(),
  personal: z.boolean().optional(),
  adminConsent: z.boolean().optional(),
  privilege: z.number().nullable().optional(),
});

export const inputSchema = z.strictObject({
  provider: z.string(),
  source: z.union([
    z.strictObject({ repository: z.string(), commit: z.string().regex(/^[0-9a-f]{40}$/), paths: z.array(z.string()), date: z.string() }),
    z.strictObject({ documentation: z.string(), recorded: z.string(), note: z.string() }),
  ]),
  scopes: z.array(factSchema),
});
export type ProviderInput = z.infer<typeof inputSchema>;

const entrySchema = z.strictObject({
  scope: z.string(),
  provider: z.string(),
  service: z.string(),
  description: z.string(),
  risk: z.enum(RISK_ORDER),
});
export type Entry = z.infer<typeof entrySchema>;

export const overridesSchema = z.strictObject({
  providers: z.record(z.string(), z.strictObject({ name: z.string(), hosts: z.array(z.string()) })),
  scopes: z.array(entrySchema),
});
export type Overrides = z.infer<typeof overridesSchema>;

export interface ProviderCoverage {
  readonly provider: string;
  readonly published: number;
  readonly covered: number;
  readonly uncovered: readonly string[];
}

export interface Built {
  readonly catalog: Overrides;
  readonly coverage: readonly ProviderCoverage[];
}

/** RFC 6749 §3.3 scope-token characters; published names outside it cannot appear in a request. */
const STANDARD_PROVIDER = 'oidc';
const SCOPE_RE = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;

export function buildCatalog(inputs: readonly ProviderInput[], overrides: Overrides): Built {
  const byProvider = new Map<string, Entry[]>();
  const seen = new Set<string>();
  for (const id of Object.keys(overrides.providers)) byProvider.set(id, []);
  for (const entry of overrides.scopes) {
    byProvider.get(entry.provider)?.push(entry);
    seen.add(`${entry.provider} ${entry.scope}`);
  }
  // Providers often list the standard OpenID scopes too; those keep their one standard entry.
  const standard = new Set(overrides.scopes.filter((e) => e.provider === STANDARD_PROVIDER).map((e) => e.scope));
  const coverage: ProviderCoverage[] = [];
  for (const input of [...inputs].sort((a, b) => a.provider.localeCompare(b.provider, 'en'))) {
    const list = byProvider.get(input.provider);
    if (!list) throw new TypeError(`input for unknown provider ${input.provider}`);
    const rule = RULES[input.provider];
    const uncovered: string[] = [];
    const generated: Entry[] = [];
    for (const fact of input.scopes) {
      const key = `${input.provider} ${fact.scope}`;
      if (seen.has(key) || standard.has(fact.scope)) continue;
      const made = SCOPE_RE.test(fact.scope) && rule ? rule(fact as ScopeFact) : null;
      if (!made) {
        uncovered.push(fact.scope);
        continue;
      }
      seen.add(key);
      generated.push({ scope: fact.scope, provider: input.provider, ...made });
    }
    generated.sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
    list.push(...generated);
    coverage.push({ provider: input.provider, published: input.scopes.length, covered: input.scopes.length - uncovered.length, uncovered });
  }
  const scopes = [...byProvider.values()].flat();
  return { catalog: { providers: overrides.providers, scopes }, coverage };
}

/** One provider or entry per line, so a refresh reads as a small diff. */
export function serialize(catalog: Overrides): string {
  const providers = Object.entries(catalog.providers).map(([id, p]) => `    ${JSON.stringify(id)}: ${JSON.stringify(p)}`);
  const scopes = catalog.scopes.map((e) => `    ${JSON.stringify(e)}`);
  return `{\n  "providers": {\n${providers.join(',\n')}\n  },\n  "scopes": [\n${scopes.join(',\n')}\n  ]\n}\n`;
}

/** The README's coverage table. */
export function coverageTable(coverage: readonly ProviderCoverage[], total: number): string {
  const rows = coverage.map((c) => `| ${c.provider} | ${c.published} | ${c.covered} | ${((100 * c.covered) / Math.max(c.published, 1)).toFixed(1)}% |`);
  return ['| provider | published scopes | covered | coverage |', '|---|---:|---:|---:|', ...rows, `| **catalog entries** | | ${total} | |`].join('\n');
}
