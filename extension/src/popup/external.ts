import { publicMessage } from '#shared/errors.js';
import type { ExternalGrantView } from '#shared/admin-api.js';
import { revokePageFor } from '#shared/providers/revoke-pages.js';
import { send } from '../lib/messaging.js';
import { h } from '../ui/dom.js';
import { overallRisk, riskPill, scopeList } from '../ui/scopes.js';
import { countdown } from '../ui/time.js';
import type { Countdown } from './active.js';
import type { Notify } from './pending.js';

const PLATFORM_LABEL: Record<string, string> = { chatgpt: 'ChatGPT', claude: 'Claude', local: 'Local agent' };
export const platformLabel = (id: string) => PLATFORM_LABEL[id] ?? id.replace(/^custom:/, '');

/**
 * A delegation given at a provider's consent page to an agent platform (flow D). Mandate holds no token
 * for it: "Revoke" opens the provider's page where the access is removed, and records that you did.
 */
export function externalItem(g: ExternalGrantView, now: number, notify: Notify, timers: Countdown[]): HTMLElement {
  const page = revokePageFor(g.provider_host);
  const left = h('span', { class: 'countdown' }, countdown(g.expires_at - now));
  timers.push({ el: left, expiresAt: g.expires_at });
  const revoke = h('button', { type: 'button', class: 'danger small', title: `Opens ${page.name}’s page for connected apps` }, 'Revoke');
  revoke.addEventListener('click', async () => {
    revoke.disabled = true;
    try {
      await send('externals.revoke', { id: g.id });
      notify(`Opened ${page.name}: ${page.steps}. Mandate marked it revoked by you.`);
    } catch (e) {
      notify(`Could not revoke: ${publicMessage(e)}`, 'error');
      revoke.disabled = false;
    }
  });
  return h(
    'li',
    { class: 'card active external', 'data-external': g.id },
    h(
      'div',
      { class: 'card-head' },
      h('strong', { class: 'agent' }, `${platformLabel(g.platform)} → ${page.name}`),
      riskPill(overallRisk(g.allowed_scope)),
      revoke,
    ),
    h(
      'p',
      { class: 'meta' },
      g.status === 'pending' ? 'Waiting for the provider’s answer' : `at ${g.provider_host}`,
      page.rfc7009 ? ' · supports token revocation (RFC 7009)' : '',
    ),
    scopeList(g.allowed_scope),
    h('p', { class: 'meta' }, 'Ends in ', left),
  );
}
