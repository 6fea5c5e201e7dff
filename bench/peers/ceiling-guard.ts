/**
 * The daemon's own guard in front of a ceiling that is a bound (`--auth`, `--checks`): the Host/Origin check, the
 * declared body limit and the security headers every daemon answer carries (daemon/src/http/guard.ts; security
 * checklist 2, 3). Every route must have them, so a bound without them would claim room no daemon route has.
 */
import type { ExecutionContext } from 'hono';
import { guarded } from '../../daemon/src/http/guard.js';
import type { NodeEnv, NodeFetch } from '../../daemon/src/http/node-listener.js';

/** A ceiling app's `fetch`, which reads the Node request the daemon's listener passes as `env.incoming`. */
type CeilingFetch = (request: Request, env: NodeEnv, executionCtx?: ExecutionContext) => Response | Promise<Response>;

/** `fetch` behind the guard; call `listening` with the bound port once the server listens (the guard checks Host against it). */
export function behindDaemonGuard(fetch: CeilingFetch): { fetch: NodeFetch; listening(port: number): void } {
  let port = 0;
  // the daemon's listener calls every fetch with { incoming, outgoing }
  const fromNode = (request: Request, env: unknown, executionCtx?: ExecutionContext) => fetch(request, env as NodeEnv, executionCtx);
  return {
    fetch: guarded(fromNode, () => port),
    listening: (p) => {
      port = p;
    },
  };
}
