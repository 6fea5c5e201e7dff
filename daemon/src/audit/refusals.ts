import type { Clock } from '../clock.js';
import { tokenBucket } from '../http/rate-limit.js';
import type { AuditInput } from './log.js';

/** Refusal rows a client may cause at once, per kind, and how fast that allowance comes back. */
export const REFUSAL_BURST = 20;
export const REFUSALS_PER_SECOND = 0.2;
/** Distinct client+kind counters kept apart; beyond this, new ones are counted under client "*". */
const MAX_COUNTERS = 1000;

export interface RefusalCount {
  client: string;
  type: string;
  count: number;
  first_ts: number;
  last_ts: number;
}

/** Decides, inside auditLog.append, whether a refusal row is written or only counted. */
export interface RefusalGate {
  admit(e: AuditInput): boolean;
}

/** Who caused a refusal: the authenticated caller when the row names one, else the agent, else the person. */
function clientOf(e: AuditInput): string {
  if ('caller' in e.detail) return e.detail.caller;
  return e.agent ?? e.person ?? 'anonymous';
}

/**
 * Any client can make the daemon refuse it as fast as it can send requests, and every refusal was an fsynced
 * audit row. This writes a client's refusals of one kind as rows up to a token bucket's rate and counts the
 * rest; `drain()` hands the counts over as one `audit.refusals_aggregated` row per client+kind (the daemon
 * writes them periodically and at shutdown), so the total is never lost while the daemon runs.
 */
export function refusalAggregator(clock: Clock, burst = REFUSAL_BURST, perSecond = REFUSALS_PER_SECOND) {
  const bucket = tokenBucket(burst, perSecond, clock);
  const counts = new Map<string, RefusalCount>();
  return {
    admit(e: AuditInput): boolean {
      if (e.type.startsWith('audit.')) return true; // the trail's own records (tamper, aggregates) are never dropped
      const client = clientOf(e);
      if (bucket.take(`${client}\n${e.type}`)) return true;
      const now = clock();
      let k = `${client}\n${e.type}`;
      let c = counts.get(k);
      if (!c && counts.size >= MAX_COUNTERS) {
        k = `*\n${e.type}`;
        c = counts.get(k);
      }
      if (c) {
        c.count++;
        c.last_ts = now;
      } else {
        counts.set(k, { client: k.slice(0, k.indexOf('\n')), type: e.type, count: 1, first_ts: now, last_ts: now });
      }
      return false;
    },
    /** The rows that summarise what was counted since the last drain; the counters start again from zero. */
    drain(): AuditInput[] {
      const rows: AuditInput[] = [...counts.values()].map((c) => ({
        type: 'audit.refusals_aggregated',
        outcome: 'refused',
        agent: c.client === '*' ? null : c.client,
        detail: { client: c.client, refused_type: c.type, count: c.count, first_ts: c.first_ts, last_ts: c.last_ts },
      }));
      counts.clear();
      return rows;
    },
    /** Refusals counted and not yet drained. */
    pending(): number {
      let n = 0;
      for (const c of counts.values()) n += c.count;
      return n;
    },
  };
}
export type RefusalAggregator = ReturnType<typeof refusalAggregator>;
