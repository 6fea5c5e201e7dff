/**
 * Must-reject: a genuine token in any other spelling. JWS compact serialization is three base64url segments
 * without padding (RFC 7515 §2, §7.1); the decoder underneath tolerates padding and stray characters, so the
 * daemon accepts a token only as the exact string it issued. Found by the fuzzer (daemon/test/fuzz/).
 */
import { describe, it } from 'vitest';
import { exchange, expectActive, expectError, expectInactive, introspect, sharedWorld, titled } from './support.js';

const spellings: { name: string; make: (token: string) => string }[] = [
  { name: 'base64 padding after the signature', make: (t) => `${t}==` },
  {
    name: 'base64 padding after every segment',
    make: (t) =>
      t
        .split('.')
        .map((s) => `${s}=`)
        .join('.'),
  },
  { name: 'a trailing newline', make: (t) => `${t}\n` },
  { name: 'a space inside the payload', make: (t) => t.replace('.', '. ') },
];

describe('a genuine token spelled differently is not a token', () => {
  const shared = sharedWorld();

  it('control: the token as issued is active', async () => {
    const w = shared();
    await expectActive(await introspect(w.d, w.agent, w.token));
  });

  it.each(titled(spellings, (r) => `${r.name} → introspection {active:false}, exchange 400 invalid_grant`))('%s', async (_title, { make }) => {
    const w = shared();
    const spelled = make(w.token);
    await expectInactive(await introspect(w.d, w.agent, spelled));
    await expectError(await exchange(w.d, w.agent, spelled), 400, 'invalid_grant');
  });
});
