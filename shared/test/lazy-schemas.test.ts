/**
 * The shared contracts build their schemas on first use (`z.lazy`), not at import: building them all cost the
 * daemon's start, every `mandate` command and every popup open a few tens of milliseconds (bench/README.md, "Schemas
 * built on first use" and "Schemas built when first parsed"). A schema that another extends (`.extend`, `.omit`)
 * is lazy too; the other takes it with `.unwrap()` inside its own `z.lazy`. What the daemon still builds before it is
 * ready is counted in daemon/test/start-schemas.test.ts.
 */
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import * as adminApi from '../src/admin-api.js';
import * as adminContract from '../src/admin-contract.js';
import * as auditEvents from '../src/audit-events.js';
import * as oauth from '../src/oauth.js';
import * as policy from '../src/policy.js';
import * as protocol from '../src/protocol.js';
import * as resourceServer from '../src/resource-server.js';

/** The extension's own messages (protocol.ts), which the daemon never loads: `settings` is a base others extend. */
const EAGER = new Set(['settings', 'daemonUrl', 'replyErrorCode']);

const modules = { adminApi, adminContract, auditEvents, oauth, policy, protocol, resourceServer };

describe('shared schemas are built on first use', () => {
  for (const [name, mod] of Object.entries(modules)) {
    it(`${name}: every exported schema is z.lazy, but for the extension's named ones`, () => {
      const eager = Object.entries(mod)
        .filter(([, v]) => v instanceof z.ZodType && v.def.type !== 'lazy')
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
