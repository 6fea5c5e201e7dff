/**
 * The kit's public API, checked by tsc (`npm run typecheck`): renaming or retyping any of it breaks
 * the build. Never run; every line is a compile-time assertion.
 */
import { expectTypeOf } from 'vitest';
import {
  type AgentCredentials,
  type AuditEvent,
  type Duration,
  EXTENSION_DIR,
  expect,
  findChromium,
  type Grant,
  type Mandate,
  type MandateOptions,
  type PendingRequest,
  type Review,
  startMandate,
  test,
} from '../src/index.js';

expectTypeOf(EXTENSION_DIR).toEqualTypeOf<string>();
expectTypeOf(findChromium).returns.toEqualTypeOf<{ executablePath: string } | { channel: 'chrome' | 'msedge' }>();
expectTypeOf(startMandate).parameter(0).toEqualTypeOf<MandateOptions | undefined>();

// options: an option fixture named apart from the fixture
test.use({ mandateOptions: { platforms: ['http://localhost:3000/callback'], policy: { maxDelegationMinutes: 60 }, person: 'user:a', clockOffset: 0 } });
test.use({ mandateOptions: { scope: 'worker', headless: false } });
// @ts-expect-error an unknown option is refused
test.use({ mandateOptions: { platform: [] } });
// @ts-expect-error the policy has the shared schema
test.use({ mandateOptions: { policy: { maxDelegationMinutes: '60' } } });

test('fixture and page objects', async ({ mandate, page, context }) => {
  expectTypeOf(mandate).toEqualTypeOf<Mandate>();
  expectTypeOf(context).toEqualTypeOf(mandate.context);
  expectTypeOf(page.goto).toBeFunction();
  expectTypeOf(mandate.daemon.url).toEqualTypeOf<string>();
  expectTypeOf(mandate.agents.add).returns.resolves.toEqualTypeOf<AgentCredentials>();
  expectTypeOf(mandate.grants).returns.resolves.toEqualTypeOf<Grant[]>();
  expectTypeOf(mandate.audit).returns.resolves.toEqualTypeOf<AuditEvent[]>();
  expectTypeOf(mandate.revoke).parameter(0).toEqualTypeOf<string>();
  expectTypeOf(mandate.expire).returns.resolves.toEqualTypeOf<Grant>();
  expectTypeOf(mandate.cli).returns.resolves.toEqualTypeOf<{ code: number; stdout: string; stderr: string }>();

  const review = await mandate.review.next({ timeout: 1000 });
  expectTypeOf(review).toEqualTypeOf<Review>();
  expectTypeOf(review).toHaveProperty('platform').toEqualTypeOf<string>();
  expectTypeOf(review).toHaveProperty('provider').toEqualTypeOf<string>();
  expectTypeOf(review).toHaveProperty('clientId').toEqualTypeOf<string>();
  expectTypeOf(review).toHaveProperty('redirectUri').toEqualTypeOf<string | undefined>();
  expectTypeOf(review).toHaveProperty('scopes').toEqualTypeOf<string[]>();
  expectTypeOf(review).toHaveProperty('resource').toEqualTypeOf<string[]>();
  expectTypeOf(review).toHaveProperty('authorizationDetails').toEqualTypeOf<unknown>();
  expectTypeOf(review).toHaveProperty('pkce').toEqualTypeOf<'S256' | 'plain' | 'none'>();
  expectTypeOf(review.untick).parameters.toEqualTypeOf<[scope: string]>();
  expectTypeOf(review.setDuration).parameter(0).toEqualTypeOf<Duration>();
  expectTypeOf(review.continue).returns.resolves.toBeVoid();
  expectTypeOf(review.block).returns.resolves.toBeVoid();
  // @ts-expect-error durations are presets or minutes
  await review.setDuration('2w');

  const pending = await mandate.popup.next();
  expectTypeOf(pending).toEqualTypeOf<PendingRequest>();
  expectTypeOf(pending.agent).toEqualTypeOf<string>();
  expectTypeOf(pending.task).toEqualTypeOf<string | null>();
  expectTypeOf(pending.scopes).toEqualTypeOf<string[]>();
  expectTypeOf(pending.approve).parameter(0).toEqualTypeOf<{ scopes?: string[]; duration?: Duration } | undefined>();
  expectTypeOf(pending.deny).returns.resolves.toBeVoid();
  expectTypeOf(mandate.popup.revoke).parameter(0).toEqualTypeOf<string>();
  expectTypeOf(mandate.popup.revokeAll).returns.resolves.toBeVoid();

  expect(review).toRequestScopes(['openid']);
  expect(review).toRequestAtMostScopes(['openid']);
  expect(review).toUsePkce();
  expect('token').toBeMandateToken({ scope: ['a'], aud: 'https://api.example/', sub: 'user:a', act: 'client' });
  expect('token').toBeMandateToken({ scope: 'a b' });
  await expect(mandate).toHaveAuditEvent({ type: 'grant.approved', agent: 'Mail agent', outcome: 'ok' });
  await expect(mandate).not.toHaveAuditEvent({ type: 'grant.revoked' }, { timeout: 100 });
  // @ts-expect-error toRequestScopes takes a list
  expect(review).toRequestScopes('openid');
  // @ts-expect-error an audit expectation needs a type
  await expect(mandate).toHaveAuditEvent({ agent: 'x' });
  // @ts-expect-error act is the acting client's id
  expect('token').toBeMandateToken({ act: { sub: 'x' } });
});
