/**
 * Matchers for consent-flow tests. Each returns `{ pass, message }`; messages show what was actually
 * requested (or found), so a failure explains itself.
 */
import type { AuditEvent, TestDaemon } from './daemon.js';
import { verifyMandateJwt } from './jwks.js';
import type { ReviewedRequest } from './review.js';

export interface MatcherResult {
  pass: boolean;
  message: () => string;
  name?: string;
  expected?: unknown;
  actual?: unknown;
}

interface MatcherThis {
  isNot: boolean;
  timeout?: number;
}

const list = (xs: readonly string[]) => (xs.length ? xs.map((x) => JSON.stringify(x)).join(', ') : '(none)');
const not = (self: MatcherThis) => (self.isNot ? '.not' : '');

function scopesOf(self: MatcherThis, received: unknown, name: string): string[] {
  const r = received as Partial<ReviewedRequest> | null;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.scopes))
    throw new Error(`expect(review)${not(self)}.${name}(): received is not a Mandate review (use mandate.review.next())`);
  return r.scopes;
}

export function toRequestScopes(this: MatcherThis, received: unknown, expected: readonly string[]): MatcherResult {
  const actual = scopesOf(this, received, 'toRequestScopes');
  const missing = expected.filter((s) => !actual.includes(s));
  const extra = actual.filter((s) => !expected.includes(s));
  const pass = missing.length === 0 && extra.length === 0;
  return {
    pass,
    name: 'toRequestScopes',
    expected: [...expected],
    actual,
    message: () =>
      pass
        ? `expect(review).not.toRequestScopes(expected)\n\nThe request asked for exactly these scopes: ${list(actual)}`
        : `expect(review).toRequestScopes(expected)\n\nExpected scopes: ${list(expected)}\nRequested:       ${list(actual)}\n` +
          `${missing.length ? `Missing:         ${list(missing)}\n` : ''}${extra.length ? `Not expected:    ${list(extra)}\n` : ''}`,
  };
}

export function toRequestAtMostScopes(this: MatcherThis, received: unknown, allowed: readonly string[]): MatcherResult {
  const actual = scopesOf(this, received, 'toRequestAtMostScopes');
  const extra = actual.filter((s) => !allowed.includes(s));
  const pass = extra.length === 0;
  return {
    pass,
    name: 'toRequestAtMostScopes',
    expected: [...allowed],
    actual,
    message: () =>
      pass
        ? `expect(review).not.toRequestAtMostScopes(allowed)\n\nEvery requested scope is allowed.\nAllowed:   ${list(allowed)}\nRequested: ${list(actual)}`
        : `expect(review).toRequestAtMostScopes(allowed)\n\nAllowed:   ${list(allowed)}\nRequested: ${list(actual)}\nBeyond what is allowed: ${list(extra)}`,
  };
}

export function toUsePkce(this: MatcherThis, received: unknown): MatcherResult {
  const r = received as Partial<ReviewedRequest> | null;
  if (typeof r !== 'object' || r === null || r.pkce === undefined) throw new Error(`expect(review)${not(this)}.toUsePkce(): received is not a Mandate review`);
  const pass = r.pkce === 'S256';
  return {
    pass,
    name: 'toUsePkce',
    expected: 'S256',
    actual: r.pkce,
    message: () =>
      pass
        ? 'expect(review).not.toUsePkce()\n\nThe request uses PKCE with S256.'
        : `expect(review).toUsePkce()\n\nExpected PKCE with code_challenge_method=S256.\nRequested: ${r.pkce === 'none' ? 'no code_challenge at all' : 'code_challenge_method=plain'}`,
  };
}

export interface AuditExpectation {
  type: string;
  /** The agent's client id or name. */
  agent?: string;
  outcome?: string;
}

function matchesEvent(e: AuditEvent, want: AuditExpectation, names: ReadonlyMap<string, string>): boolean {
  if (e.type !== want.type) return false;
  if (want.outcome !== undefined && e.outcome !== want.outcome) return false;
  if (want.agent !== undefined && e.agent !== want.agent && names.get(e.agent ?? '') !== want.agent) return false;
  return true;
}

/** Polls the daemon's audit trail until an event matches (or, with `.not`, until the timeout passes without one). */
export async function toHaveAuditEvent(
  this: MatcherThis,
  received: unknown,
  want: AuditExpectation,
  opts: { timeout?: number; intervals?: number } = {},
): Promise<MatcherResult> {
  const m = received as Partial<Pick<TestDaemon, 'audit'>> & { daemon?: Partial<Pick<TestDaemon, 'admin'>> };
  const audit = typeof m?.audit === 'function' ? m.audit : undefined;
  const admin = typeof m?.daemon?.admin === 'function' ? m.daemon.admin : undefined;
  if (!audit || !admin) throw new Error(`expect(mandate)${not(this)}.toHaveAuditEvent(): received is not the mandate fixture`);
  const timeout = opts.timeout ?? this.timeout ?? 5000;
  const deadline = Date.now() + timeout;
  let events: AuditEvent[] = [];
  let found: AuditEvent | undefined;
  for (;;) {
    events = await audit({ type: want.type });
    const agents = (await (await admin('GET', '/agents')).json()) as { agents?: { client_id: string; name: string }[] };
    const names = new Map((agents.agents ?? []).map((a) => [a.client_id, a.name] as const));
    found = events.find((e) => matchesEvent(e, want, names));
    if (found !== undefined ? !this.isNot : false) break;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, opts.intervals ?? 100));
  }
  const pass = found !== undefined;
  const recent = async () => (await audit({})).slice(0, 15);
  const shown = pass ? [] : await recent();
  const line = (e: AuditEvent) => `  ${e.type} agent=${e.agent ?? '-'} outcome=${e.outcome}`;
  return {
    pass,
    name: 'toHaveAuditEvent',
    expected: want,
    actual: found ?? events,
    message: () =>
      pass
        ? `expect(mandate).not.toHaveAuditEvent(${JSON.stringify(want)})\n\nFound within ${timeout} ms:\n${line(found!)}`
        : `expect(mandate).toHaveAuditEvent(${JSON.stringify(want)})\n\nNo matching event within ${timeout} ms. Latest events in the trail:\n${shown.map(line).join('\n') || '  (none)'}`,
  };
}

export interface TokenExpectation {
  /** Exact scope set (a space-separated string or a list). */
  scope?: string | readonly string[];
  aud?: string;
  sub?: string;
  /** The acting agent's client id (`act.sub`). */
  act?: string;
}

const scopeSet = (s: string | readonly string[]) => (typeof s === 'string' ? s.split(' ').filter(Boolean) : [...s]).sort();

export function toBeMandateToken(this: MatcherThis, received: unknown, want: TokenExpectation = {}): MatcherResult {
  const v = verifyMandateJwt(received);
  const problems: string[] = [];
  let actual: Record<string, unknown> = {};
  if (!v.ok) problems.push(v.reason);
  else {
    const c = v.claims;
    const act = (c.act as { sub?: unknown } | undefined)?.sub;
    actual = { scope: c.scope, aud: c.aud, sub: c.sub, act };
    if (v.header.typ !== 'at+jwt') problems.push(`typ is ${String(v.header.typ)}, not at+jwt`);
    if (want.scope !== undefined && scopeSet(want.scope).join(' ') !== scopeSet(String(c.scope ?? '')).join(' '))
      problems.push(`scope is ${JSON.stringify(c.scope)}, expected ${JSON.stringify(scopeSet(want.scope).join(' '))}`);
    if (want.aud !== undefined && c.aud !== want.aud) problems.push(`aud is ${JSON.stringify(c.aud)}, expected ${JSON.stringify(want.aud)}`);
    if (want.sub !== undefined && c.sub !== want.sub) problems.push(`sub is ${JSON.stringify(c.sub)}, expected ${JSON.stringify(want.sub)}`);
    if (want.act !== undefined && act !== want.act) problems.push(`act.sub is ${JSON.stringify(act)}, expected ${JSON.stringify(want.act)}`);
  }
  const pass = problems.length === 0;
  return {
    pass,
    name: 'toBeMandateToken',
    expected: want,
    actual,
    message: () =>
      pass
        ? `expect(token).not.toBeMandateToken(${JSON.stringify(want)})\n\nIt is a Mandate token with ${JSON.stringify(actual)}`
        : `expect(token).toBeMandateToken(${JSON.stringify(want)})\n\n${problems.map((p) => `- ${p}`).join('\n')}${v.ok ? `\nToken carries: ${JSON.stringify(actual)}` : ''}`,
  };
}

export const mandateMatchers = { toRequestScopes, toRequestAtMostScopes, toUsePkce, toHaveAuditEvent, toBeMandateToken };
