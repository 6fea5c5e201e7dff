/**
 * The shared contracts build their object, union and array schemas on first use (`z.lazy`), not at import:
 * building them all cost the daemon's start, every `mandate` command and every popup open a few tens of
 * milliseconds (bench/README.md, "Schemas built on first use"). Schemas that others `.extend` or `.omit` stay
 * eager, and are named here.
 */
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import * as adminApi from '../src/admin-api.js';
import * as auditEvents from '../src/audit-events.js';
import * as oauth from '../src/oauth.js';
import * as policy from '../src/policy.js';
import * as protocol from '../src/protocol.js';
import * as resourceServer from '../src/resource-server.js';

/** Bases other schemas are built from with `.extend`/`.omit`/`.shape`: a ZodLazy has none of those. */
const EAGER = new Set(['oauthErrorBody', 'accessTokenClaims', 'clientMetadata', 'chatEvent', 'settings']);
const COMPOSITE = new Set(['object', 'union', 'array', 'intersection', 'record', 'tuple']);

const modules = { adminApi, auditEvents, oauth, policy, protocol, resourceServer };

describe('shared schemas are built on first use', () => {
  for (const [name, mod] of Object.entries(modules)) {
    it(`${name}: every exported object, union or array schema is z.lazy, but for the named bases`, () => {
      const eager = Object.entries(mod)
        .filter(([, v]) => v instanceof z.ZodType && COMPOSITE.has(v.def.type))
        .map(([k]) => k)
        .filter((k) => !EAGER.has(k));
      expect(eager).toEqual([]);
    });
  }

  it('a lazy schema parses, refuses and reports paths as the schema inside it does', () => {
    const good = { auth_req_id: 'a', expires_in: 60, interval: 5 };
    expect(oauth.bcAuthorizeResponse.parse(good)).toEqual(good);
    const bad = oauth.bcAuthorizeResponse.safeParse({ ...good, interval: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['interval']);
    expect(oauth.bcAuthorizeResponse.unwrap()).toBeInstanceOf(z.ZodObject);
  });
});
