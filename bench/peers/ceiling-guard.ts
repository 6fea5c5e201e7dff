/**
 * The daemon's own guard in front of a ceiling that is a bound (`--auth`, `--checks`): the Host/Origin check, the
 * declared body limit and the security headers every daemon answer carries (daemon/src/http/guard.ts; security
 * checklist 2, 3). Every route must have them, so a bound without them would claim room no daemon route has.
 */
import type { IncomingMessage } from 'node:http';
import type { ExecutionContext } from 'hono';
import { guarded } from '../../daemon/src/http/guard.js';

/** A ceiling app's `fetch`, which reads the Node request @hono/node-server passes as `env.incoming`. */
type NodeFetch = (request: Request, env: { incoming: IncomingMessage }, executionCtx?: ExecutionContext) => Response | Promise<Response>;

/** `fetch` behind the guard; call `listening` with the bound port once the server listens (the guard checks Host against it). */
export function behindDaemonGuard(fetch: NodeFetch): { fetch: ReturnType<typeof guarded>; listening(port: number): void } {
  let port = 0;
  // @hono/node-server calls every fetch with { incoming, outgoing }
  const fromNode = (request: Request, env: unknown, executionCtx?: ExecutionContext) => fetch(request, env as { incoming: IncomingMessage }, executionCtx);
  return {
    fetch: guarded(fromNode, () => port),
    listening: (p) => {
      port = p;
    },
  };
}
