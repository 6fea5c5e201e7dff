import type { GrantView } from '#shared/admin-api.js';
import { describeDuration } from '#shared/duration.js';
import { hostOf } from './url.js';
import { describeAuthorizationDetails, detailsSummary } from '#shared/authorization-details/model.js';
import { showText } from '#shared/text.js';

/** "<agent> wants <n> permissions on <resource> for <duration>" — plain text; notifications render no markup. */
export function requestSummary(g: GrantView): string {
  const n = g.requested_scope.length;
  return `${showText(g.agent.name)} wants ${n} permission${n === 1 ? '' : 's'} on ${showText(hostOf(g.resource))} for ${describeDuration(g.requested_duration)}`;
}

/** A system notification's text: the summary, what the details say in brief, and the task (escaped; no markup). */
export function requestNotification(g: GrantView): { message: string; contextMessage?: string } {
  const details = g.authorization_details === null ? '' : `, and ${detailsSummary(describeAuthorizationDetails(g.authorization_details))}`;
  return { message: `${requestSummary(g)}${details}`, ...(g.binding_message ? { contextMessage: showText(g.binding_message) } : {}) };
}
