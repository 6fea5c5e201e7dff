import { strictest, type Policy } from '#shared/policy.js';
import { OAuthError } from '../http/errors.js';
import type { ClientRecord } from '../store/clients.repo.js';

export const ORG = 'set by your organisation';

/**
 * The policy in force: the daemon's own file, made stricter (never looser) by what the paired browser
 * reports from its managed storage. The file alone is enough to refuse: a modified extension cannot
 * loosen anything.
 */
export function policyHolder(file: Policy, path: string | null) {
  let browser: Policy = {};
  let effective = file;
  return {
    file: () => file,
    path: () => path,
    browser: () => browser,
    effective: () => effective,
    setBrowser(p: Policy): Policy {
      browser = p;
      effective = strictest(file, p);
      return effective;
    },
  };
}
export type PolicyHolder = ReturnType<typeof policyHolder>;

export function maxDelegationSeconds(p: Policy, hardMax: number): number {
  return p.maxDelegationMinutes === undefined ? hardMax : Math.min(hardMax, p.maxDelegationMinutes * 60);
}

/** Refuses an agent that policy blocks or does not allow (matched by client id or exact name). */
export function checkAgent(p: Policy, client: ClientRecord): void {
  const named = (list: readonly string[]) => list.includes(client.client_id) || list.includes(client.name);
  if (p.blockedAgents && named(p.blockedAgents)) {
    throw new OAuthError(400, 'unauthorized_client', `this agent is blocked (${ORG})`);
  }
  if (p.allowedAgents && !named(p.allowedAgents)) {
    throw new OAuthError(400, 'unauthorized_client', `this agent is not on the list of allowed agents (${ORG})`);
  }
}

export function blockedIn(p: Policy, scopes: readonly string[]): string[] {
  return p.blockedScopes ? scopes.filter((s) => p.blockedScopes!.includes(s)) : [];
}

export function alwaysAskIn(p: Policy, scopes: readonly string[]): string[] {
  return p.alwaysAskScopes ? scopes.filter((s) => p.alwaysAskScopes!.includes(s)) : [];
}
