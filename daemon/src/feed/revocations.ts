import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { MAX_TOKEN_LIFETIME_SECONDS } from '#shared/oauth.js';
import { ENDED_STATUSES, REVOCATIONS_PATH } from '#shared/resource-server.js';
import type { DaemonContext } from '../context.js';
import type { AuthenticateClient } from '../http/client-auth.js';
import { badRequest } from '../http/errors.js';
import { requestHeader } from '../http/incoming.js';
import { feedRepo } from '../store/feed.repo.js';
import { authenticateResourceServer } from './resource-server-auth.js';

export const DEFAULT_HEARTBEAT_SECONDS = 5;
const MAX_HEARTBEAT_SECONDS = 60;

function heartbeatSeconds(q: string | undefined): number {
  if (q === undefined) return DEFAULT_HEARTBEAT_SECONDS;
  if (!/^[0-9]{1,2}$/.test(q) || Number(q) < 1 || Number(q) > MAX_HEARTBEAT_SECONDS)
    throw badRequest(`heartbeat must be whole seconds from 1 to ${MAX_HEARTBEAT_SECONDS}`);
  return Number(q);
}

function lastEventId(h: string | undefined): number | undefined {
  if (h === undefined || h === '') return undefined;
  if (!/^[0-9]{1,15}$/.test(h)) throw badRequest('Last-Event-ID must be a sequence number this feed sent');
  return Number(h);
}

/**
 * `GET /revocations`: a Server-Sent Events feed of the grants of this resource server's audiences that ended
 * (revoked, ended, expired). Each event's `id:` is the durable sequence from `grant_endings`, so a reconnect with
 * `Last-Event-ID` replays exactly what was missed. Without it, endings from the last token lifetime are replayed
 * (older ones cannot have a token still valid). Then `ready` carries the current sequence; heartbeats are comments.
 */
export function revocationsRoute(ctx: DaemonContext, authenticateClient: AuthenticateClient) {
  const feed = feedRepo(ctx.db);
  return new Hono().get(REVOCATIONS_PATH, (c) => {
    const client = authenticateResourceServer(c, authenticateClient);
    const heartbeatMs = heartbeatSeconds(c.req.query('heartbeat')) * 1000;
    const resumeFrom = lastEventId(requestHeader(c, 'last-event-id'));
    const resources = client.resources;
    c.header('Cache-Control', 'no-store');
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | undefined;
      let dirty = false;
      const unsubscribe = ctx.bus.subscribe((e) => {
        if (e.type === 'grant' && (ENDED_STATUSES as readonly string[]).includes(e.status)) {
          dirty = true;
          wake?.();
        }
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      // replayed endings never go further back than a grant can live, nor before the resume point
      const floor = ctx.clock() - (resumeFrom === undefined ? MAX_TOKEN_LIFETIME_SECONDS : ctx.limits.maxDelegationSeconds);
      let cursor = resumeFrom ?? 0;
      const flush = async (): Promise<void> => {
        dirty = false;
        const head = feed.head(); // read together with the rows: nothing commits between two synchronous reads
        for (const row of feed.since(resources, cursor, head, floor)) {
          await stream.writeSSE({ event: 'grant', id: String(row.seq), data: JSON.stringify({ grant_id: row.grant_id, status: row.status, at: row.at }) });
        }
        cursor = Math.max(cursor, head);
      };
      await flush();
      await stream.writeSSE({ event: 'ready', id: String(cursor), data: JSON.stringify({ seq: cursor }) });
      while (!stream.aborted && ctx.clients.get(client.client_id) !== undefined) {
        if (dirty) {
          await flush();
          continue;
        }
        let timer: NodeJS.Timeout | undefined;
        const woken = await new Promise<boolean>((resolve) => {
          wake = () => resolve(true);
          timer = setTimeout(() => resolve(false), heartbeatMs);
        });
        clearTimeout(timer);
        wake = undefined;
        if (!woken && !stream.aborted) await stream.write(': heartbeat\n\n');
      }
      unsubscribe();
      await stream.close();
    });
  });
}
