import { policySchema, type Policy } from '#shared/policy.js';
import browser from '../lib/browser.js';

/**
 * The browser's managed policy (storage.managed, set by the organisation: docs/enterprise.md).
 * Keys that fail the schema are dropped one by one, so one bad value does not void the rest.
 * Where there is no managed storage (no policy, or Firefox without one) the policy is empty.
 */
export async function readManagedPolicy(): Promise<Policy> {
  let raw: Record<string, unknown>;
  try {
    raw = await browser.storage.managed.get();
  } catch {
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const one = policySchema.safeParse({ [key]: value });
    if (one.success) Object.assign(out, one.data);
    else console.warn(`[mandate] managed policy key "${key}" ignored: ${one.error.issues[0]?.message ?? 'invalid'}`);
  }
  return out as Policy;
}

export function onManagedPolicyChange(listener: () => void): void {
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') listener();
  });
}
