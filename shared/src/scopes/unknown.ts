/**
 * The scopes Mandate could not explain, as people met them: each verbatim, with how often and when
 * it was last seen. The Activity page lists them so the catalog can grow where it matters.
 */
import { describeScope } from './catalog.js';

export interface SeenScopes {
  readonly ts: number;
  readonly scopes: readonly string[];
}

export interface UnknownScope {
  readonly scope: string;
  readonly count: number;
  readonly lastSeen: number;
}

/** Unknown scopes across `seen`, most often seen first (then most recent, then by name). */
export function unknownScopes(seen: readonly SeenScopes[]): UnknownScope[] {
  const tally = new Map<string, { count: number; lastSeen: number }>();
  for (const { ts, scopes } of seen) {
    for (const scope of new Set(scopes)) {
      if (describeScope(scope).known) continue;
      const t = tally.get(scope);
      if (t) {
        t.count += 1;
        t.lastSeen = Math.max(t.lastSeen, ts);
      } else tally.set(scope, { count: 1, lastSeen: ts });
    }
  }
  return [...tally]
    .map(([scope, t]) => ({ scope, ...t }))
    .sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
}
