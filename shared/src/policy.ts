/**
 * Organisation policy: one schema for the browser's managed storage (extension) and the daemon's policy
 * file. Where both set a key, the stricter value wins; the daemon enforces its own copy, so a modified
 * extension cannot bypass it. Every key is optional; absent means "no organisational limit".
 */
import * as z from 'zod';

const scopeList = z.lazy(() => z.array(z.string().min(1).max(500)).max(500));
const idList = z.lazy(() => z.array(z.string().min(1).max(200)).max(500));

export const auditExportPolicy = z.lazy(() =>
  z.strictObject({
    /** OTLP/HTTP logs endpoint of the organisation's collector, e.g. https://otel.example.com:4318/v1/logs */
    otlpEndpoint: z.string().url().max(2048),
    /** Extra HTTP headers for the collector (e.g. an API key). */
    headers: z.record(z.string().max(200), z.string().max(4096)).default({}),
    /** Most events per request. */
    batchSize: z.number().int().min(1).max(10_000).default(500),
    /** Seconds between export attempts when idle or after a failure (backoff grows up to 10x this). */
    intervalSeconds: z.number().int().min(1).max(3600).default(10),
  }),
);
export type AuditExportPolicy = z.infer<typeof auditExportPolicy>;

export const policySchema = z.lazy(() =>
  z.strictObject({
    /** Longest delegation anyone may approve, in minutes (CIBA grants and external grants alike). */
    maxDelegationMinutes: z.number().int().min(1).max(527_040).optional(),
    /** Scopes that can never be approved: requests may name them, but the daemon refuses any approval or external grant that includes one. */
    blockedScopes: scopeList.optional(),
    /** Scopes never remembered: a grant that includes one yields a single token and cannot be renewed. */
    alwaysAskScopes: scopeList.optional(),
    /** When set, only these agents (client ids or exact names) may ask for anything. */
    allowedAgents: idList.optional(),
    /** These agents (client ids or exact names) are refused. */
    blockedAgents: idList.optional(),
    /** Extra agent-platform redirect patterns for consent interception (flow D). */
    agentPlatforms: z.array(z.string().max(500)).max(100).optional(),
    /** Disable "Always allow" on in-chat approval cards (flow E). */
    disableAlwaysAllow: z.boolean().optional(),
    /** Content-script selector overrides by key, e.g. {"chatgpt.card": ["div[data-testid=x]"]}. */
    selectorOverrides: z.record(z.string().max(100), z.array(z.string().max(500)).max(10)).optional(),
    /** The daemon URL the extension must use (loopback only). */
    daemonUrl: z.string().max(200).optional(),
    /** Dynamic client registration (RFC 7591) for MCP clients; on unless set to false. Client metadata documents stay on. */
    allowClientRegistration: z.boolean().optional(),
    /** Where audit events go besides the local trail. */
    auditExport: auditExportPolicy.optional(),
  }),
);
export type Policy = z.infer<typeof policySchema>;

const union = (x?: string[], y?: string[]) => (x || y ? [...new Set([...(x ?? []), ...(y ?? [])])] : undefined);
const min = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
const either = (x?: boolean, y?: boolean) => (x || y ? true : (x ?? y));

/**
 * The stricter of two policies, key by key (where a key has no order, e.g. daemonUrl, the first wins).
 * Every key must be named here: a key added to the schema without a merge rule does not compile.
 */
export function strictest(a: Policy, b: Policy): Policy {
  const merged: { [K in keyof Required<Policy>]: Policy[K] } = {
    maxDelegationMinutes: min(a.maxDelegationMinutes, b.maxDelegationMinutes),
    blockedScopes: union(a.blockedScopes, b.blockedScopes),
    alwaysAskScopes: union(a.alwaysAskScopes, b.alwaysAskScopes),
    // only agents both allow; one side's list alone stands
    allowedAgents: a.allowedAgents && b.allowedAgents ? a.allowedAgents.filter((x) => b.allowedAgents?.includes(x)) : (a.allowedAgents ?? b.allowedAgents),
    blockedAgents: union(a.blockedAgents, b.blockedAgents),
    agentPlatforms: union(a.agentPlatforms, b.agentPlatforms),
    disableAlwaysAllow: either(a.disableAlwaysAllow, b.disableAlwaysAllow),
    selectorOverrides: a.selectorOverrides || b.selectorOverrides ? { ...b.selectorOverrides, ...a.selectorOverrides } : undefined,
    daemonUrl: a.daemonUrl ?? b.daemonUrl,
    auditExport: a.auditExport ?? b.auditExport,
    // off wins: either side turning registration off turns it off
    allowClientRegistration:
      a.allowClientRegistration === false || b.allowClientRegistration === false ? false : (a.allowClientRegistration ?? b.allowClientRegistration),
  };
  const out: Policy = {};
  for (const [key, value] of Object.entries(merged)) if (value !== undefined) Object.assign(out, { [key]: value });
  return out;
}
