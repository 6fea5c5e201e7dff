import type { Context, Env, Hono } from 'hono';
import type * as z from 'zod';
import { ADMIN_ENDPOINTS, type AdminCallName, type AdminEndpoints, type AdminParams } from '#shared/admin-contract.js';
import { readId, readJson, readQuery } from '../http/json.js';

type Out<E, K extends string> = E extends { [P in K]: infer S extends z.ZodType } ? z.infer<S> : undefined;

/** What a handler of endpoint N receives: its path parameters (checked ids), its parsed body and query. */
interface AdminInput<N extends AdminCallName, E extends Env> {
  params: AdminParams<N>;
  body: Out<AdminEndpoints[N], 'body'>;
  query: Out<AdminEndpoints[N], 'query'>;
  c: Context<E>;
}
type AdminHandler<N extends AdminCallName, E extends Env> = (
  input: AdminInput<N, E>,
) => z.input<AdminEndpoints[N]['response']> | Promise<z.input<AdminEndpoints[N]['response']>>;
export type AdminHandlers<Names extends AdminCallName, E extends Env> = { [N in Names]: AdminHandler<N, E> };

/**
 * Checks answers against the contract in tests and development (a mismatch is a bug in the daemon and fails loudly);
 * in production the answer goes out as built.
 */
const CHECK_RESPONSES = process.env.NODE_ENV === 'test' || process.env.NODE_ENV === 'development' || process.env.VITEST !== undefined;

/**
 * Registers each handler on its contract method and path: path ids checked, the body read as JSON and parsed
 * with the endpoint's schema, the query parsed, the answer sent with the endpoint's status.
 */
export function registerAdmin<Names extends AdminCallName, E extends Env>(app: Hono<E>, handlers: AdminHandlers<Names, E>): void {
  for (const name of Object.keys(handlers) as Names[]) {
    const e: { method: string; path: string; body?: z.ZodType; query?: z.ZodType; response: z.ZodType; status?: 200 | 201 } = ADMIN_ENDPOINTS[name];
    const handler = handlers[name] as (input: { params: Record<string, string>; body: unknown; query: unknown; c: Context<E> }) => unknown;
    app.on(e.method, e.path, async (c) => {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(c.req.param() as Record<string, string>)) params[k] = readId(v);
      const body = e.body ? await readJson(c, e.body) : undefined;
      const query = e.query ? readQuery(e.query, c.req.query()) : undefined;
      const answer = await handler({ params, body, query, c });
      if (CHECK_RESPONSES) {
        const checked = e.response.safeParse(answer);
        if (!checked.success) throw new TypeError(`admin ${name}: answer outside the contract: ${checked.error.issues[0]?.message}`);
      }
      return c.json(answer, e.status ?? 200);
    });
  }
}
