import type { MiddlewareHandler } from 'hono';
import { limitBody } from './body.js';
import { refuseUnlessLocal } from './local-only.js';

/**
 * What every request passes before any route: the local-only guard (Host, Origin, the two security headers),
 * then the body limit. One middleware layer, not two: each layer Hono dispatches costs every request about as
 * much as the guard's own checks (bench/README.md, metadata).
 */
export function guard(port: () => number): MiddlewareHandler {
  const refuse = refuseUnlessLocal(port);
  const limit = limitBody();
  return (c, next) => {
    const refused = refuse(c);
    return refused === undefined ? limit(c, next) : Promise.resolve(refused);
  };
}
