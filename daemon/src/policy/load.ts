import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MandateError } from '#shared/errors.js';
import { policySchema, type Policy } from '#shared/policy.js';

/** A policy file that exists but cannot be used: the daemon refuses to start (fail closed). */
export class PolicyError extends MandateError {
  override name = 'PolicyError';
  constructor(message: string, detail?: string) {
    super('policy_invalid', message, detail);
  }
}

/** Where an organisation puts the daemon's policy file, per OS (docs/enterprise.md). */
export function defaultPolicyPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'darwin') return '/Library/Application Support/Mandate/policy.json';
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'Mandate', 'policy.json');
  return '/etc/mandate/policy.json';
}

/**
 * Reads the policy: an explicit path (--policy / MANDATE_POLICY) must exist; the default path may be
 * absent (no organisational limits). Anything unreadable or invalid stops the daemon with the reason.
 */
export function loadPolicy(explicit: string | undefined): { policy: Policy; path: string | null } {
  const path = explicit ?? defaultPolicyPath();
  if (!existsSync(path)) {
    if (explicit) throw new PolicyError(`policy file ${path} does not exist`);
    return { policy: {}, path: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new PolicyError(`policy file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyError(`policy file ${path}: ${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  return { policy: parsed.data, path };
}
