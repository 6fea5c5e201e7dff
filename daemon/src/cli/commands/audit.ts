import { AUDIT_OUTCOMES } from '#shared/admin-api.js';
import { auditDetailSummary } from '#shared/audit-summary.js';
import { UsageError, parse } from '../args.js';
import { cliClient, resolveTarget } from '../client.js';
import { isoTime, safe, table } from '../format.js';
import type { CliIo } from '../io.js';

export const AUDIT_HELP = `mandate audit [--agent <client id>] [--resource <url>] [--outcome ok|refused] [--type <t>] [--limit <n>] [--json]
mandate audit verify [--full]

audit prints the trail, newest first (--json: one JSON object per line, for export).
audit verify walks the keyed chain (its key lives outside the data directory) and compares its end with the
head record and the signed checkpoint: it names the first row that was edited, deleted, reordered or
truncated, or a chain recomputed without the key, and exits 1. It starts from the last head a verify found
intact; --full re-walks every row from genesis. What it cannot prove: docs/security.md.`;

const isOutcome = (v: string): v is (typeof AUDIT_OUTCOMES)[number] => AUDIT_OUTCOMES.some((o) => o === v);

export async function auditCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    agent: { type: 'string' },
    resource: { type: 'string' },
    outcome: { type: 'string' },
    type: { type: 'string' },
    limit: { type: 'string' },
    full: { type: 'boolean' },
  });
  const outcome = values.outcome;
  if (outcome !== undefined && !isOutcome(outcome)) throw new UsageError(`--outcome must be ${AUDIT_OUTCOMES.join(' or ')}, not "${outcome}"`);
  if (values.limit !== undefined && !/^[1-9]\d{0,4}$/.test(values.limit))
    throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${values.limit}"`);
  const client = cliClient(resolveTarget(values, io.env));
  if (positionals[0] === 'verify') {
    const r = await client.call('audit.verify', values.full ? { full: 'true' } : {});
    const from = r.verified_from ?? 0;
    if (values.json) io.out(`${JSON.stringify(r)}\n`);
    else if (r.ok && from === 0) io.out(`Audit chain intact: ${r.rows} row(s) verified from genesis.\n`);
    else if (r.ok)
      io.out(
        `Audit chain intact: ${r.rows} row(s); ${from < r.rows ? `rows ${from + 1}..${r.rows} walked now, ` : 'nothing new since the last verify; '}rows 1..${from} verified by an earlier run (mandate audit verify --full re-walks them).\n`,
      );
    else io.out(`Audit chain BROKEN at row ${r.first_broken!.id}: ${r.first_broken!.reason}\n(${r.rows} row(s) read)\n`);
    return r.ok ? 0 : 1;
  }
  if (positionals.length) throw new UsageError(`unknown audit command "${positionals[0]}"; use mandate audit or mandate audit verify`);
  const { events } = await client.call('audit.list', {
    agent: values.agent,
    resource: values.resource,
    outcome,
    type: values.type,
    limit: values.limit,
  });
  if (values.json) {
    io.out(events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : ''));
    return 0;
  }
  if (events.length === 0) {
    io.out('No audit events match.\n');
    return 0;
  }
  io.out(
    `${table(
      ['#', 'TIME', 'EVENT', 'OUTCOME', 'AGENT', 'RESOURCE', 'SCOPES', 'GRANT', 'DETAIL'],
      events.map((e) => [
        String(e.id),
        isoTime(e.ts),
        e.type,
        e.outcome,
        safe(e.agent ?? '-'),
        safe(e.resource ?? '-'),
        e.scopes.join(' ') || '-',
        e.grant_id ?? '-',
        safe(auditDetailSummary(e.type, e.detail)) || '-',
      ]),
    )}\n`,
  );
  return 0;
}
