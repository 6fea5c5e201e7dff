import type { GrantView } from '../../../shared/src/admin-api.js';
import { describeDuration } from '../../../shared/src/duration.js';
import { hostOf } from './url.js';

/** "<agent> wants <n> permissions on <resource> for <duration>" — plain text; notifications render no markup. */
export function requestSummary(g: GrantView): string {
  const n = g.requested_scope.length;
  return `${g.agent.name} wants ${n} permission${n === 1 ? '' : 's'} on ${hostOf(g.resource)} for ${describeDuration(g.requested_duration)}`;
}
