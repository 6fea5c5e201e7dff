/** What the content script tells the service worker about cards (flow E): clipped to the schema's limits, never throwing. */
import type { ContentReport } from '#shared/protocol.js';
import { send } from '../lib/messaging.js';

export function report(r: ContentReport): void {
  const clipped: ContentReport = {
    ...r,
    ...(r.app !== undefined && { app: r.app.slice(0, 200) }),
    ...(r.tool !== undefined && { tool: r.tool.slice(0, 200) }),
    ...(r.detail !== undefined && { detail: r.detail.slice(0, 300) }),
  };
  send('content.report', clipped).catch(() => undefined);
}
