import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { type AuthorizationDetail, authorizationDetails } from '#shared/oauth.js';
import { MandateTokenError, type ChallengeParams } from './errors.js';
import { subscribeFeed, type Feed } from './feed.js';

export interface VerifierOptions {
  /** The Mandate daemon, e.g. `http://127.0.0.1:8787` (the token's `iss`). */
  issuer: string;
  /** This resource (the token's `aud`), as registered with `--resource-server`. */
  audience: string;
  /** Credentials of this resource server's registration (for the revocation feed, introspection and reports). */
  clientId: string;
  clientSecret: string;
  /** Longest the feed may be down before the fallback applies (default 10 000 ms). */
  feedTimeoutMs?: number;
  /** When the feed has been down past `feedTimeoutMs`: refuse (`fail_closed`, default) or introspect each token. */
  whenFeedDown?: 'fail_closed' | 'introspect';
  /** Heartbeat asked of the daemon (default: a quarter of the timeout, 1–60 s). */
  heartbeatSeconds?: number;
  /** Leeway for `exp`/`nbf`/`iat` (default 5 s). */
  clockToleranceSeconds?: number;
  /** URL of this resource's RFC 9728 metadata, put in every challenge. */
  resourceMetadata?: string;
  /** Current time in seconds (tests with a moved clock); default the system clock. */
  now?: () => number;
  fetch?: typeof fetch;
}

export interface VerifiedToken {
  /** The person (`sub`). */
  sub: string;
  /** The agent acting (`act.sub`). */
  agent: string;
  clientId: string;
  scope: string[];
  grantId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  authorizationDetails?: AuthorizationDetail[];
  /** The raw token (never logged by the kit). */
  token: string;
}

export interface Verifier {
  /** Verifies offline, then against the live revocation state; throws `MandateTokenError`. */
  verify(token: string, opts?: { scope?: string | readonly string[] }): Promise<VerifiedToken>;
  /** Resolves once the feed has delivered its backlog (`ready`). */
  ready(): Promise<void>;
  /** Whether a grant is known to have ended. */
  isDead(grantId: string): boolean;
  readonly options: Readonly<Required<Pick<VerifierOptions, 'issuer' | 'audience' | 'clientId' | 'feedTimeoutMs' | 'whenFeedDown'>>> & {
    resourceMetadata: string | undefined;
    authorization: string;
    fetch: typeof fetch;
  };
  close(): Promise<void>;
}

const MAX_GRANT_SECONDS = 24 * 3600;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function basicAuthorization(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/**
 * A token verifier for a resource server protected by Mandate. Offline: JWKS (cached, refetched on an unknown
 * `kid`), `typ` at+jwt, ES256 only, `iss`, `aud`, `exp`/`nbf`. Live: a set of ended grants fed by the daemon's
 * revocation feed. If the feed is down longer than `feedTimeoutMs` the verifier refuses (default) or introspects
 * each token; it never accepts a token it cannot vouch for.
 */
export function createVerifier(o: VerifierOptions & { jwks?: JWTVerifyGetKey }): Verifier {
  for (const k of ['issuer', 'audience', 'clientId', 'clientSecret'] as const) {
    if (typeof o[k] !== 'string' || o[k] === '') throw new TypeError(`createVerifier: ${k} is required`);
  }
  const issuer = o.issuer.replace(/\/$/, '');
  const feedTimeoutMs = o.feedTimeoutMs ?? 10_000;
  const whenFeedDown = o.whenFeedDown ?? 'fail_closed';
  if (whenFeedDown !== 'fail_closed' && whenFeedDown !== 'introspect') throw new TypeError('createVerifier: whenFeedDown is fail_closed or introspect');
  const fetchFn = o.fetch ?? fetch;
  const authorization = basicAuthorization(o.clientId, o.clientSecret);
  const now = o.now ?? (() => Date.now() / 1000);
  const jwks = o.jwks ?? createRemoteJWKSet(new URL(`${issuer}/jwks.json`), { cooldownDuration: 5_000, timeoutDuration: 3_000 });
  const challenge: ChallengeParams = { resourceMetadata: o.resourceMetadata };

  /** grant id → when it can be forgotten (no token of it can outlive the longest grant). */
  const dead = new Map<string, number>();
  let up = false;
  let everUp = false;
  let downSince = Date.now(); // monotonic enough for a bound; starts "down" until the first ready
  let readyResolve: (() => void) | undefined;
  let readyPromise = new Promise<void>((r) => {
    readyResolve = r;
  });
  let waiters: (() => void)[] = [];

  const feed: Feed = subscribeFeed({
    issuer,
    authorization,
    heartbeatSeconds: o.heartbeatSeconds ?? Math.min(60, Math.max(1, Math.floor(feedTimeoutMs / 4000))),
    fetch: fetchFn,
    onEvent(e) {
      dead.set(e.grant_id, e.at + MAX_GRANT_SECONDS);
    },
    onState(isUp) {
      if (isUp) {
        up = true;
        everUp = true;
        readyResolve?.();
        for (const w of waiters) w();
        waiters = [];
      } else if (up) {
        up = false;
        downSince = Date.now();
        readyPromise = new Promise<void>((r) => {
          readyResolve = r;
        });
      }
    },
  });
  const pruner = setInterval(() => {
    const t = now();
    for (const [id, until] of dead) if (until < t) dead.delete(id);
  }, 60_000);
  pruner.unref();

  /** Waits for the feed while still inside the bound; true when it is up. */
  async function feedUp(): Promise<boolean> {
    if (up) return true;
    const left = feedTimeoutMs - (Date.now() - downSince);
    if (left <= 0) return false;
    // a short outage after a sync: the known dead set still applies, within the documented bound
    if (everUp) return true;
    // never synced yet: wait for the backlog (endings of the last token lifetime) rather than accept blind
    let timer: NodeJS.Timeout | undefined;
    const ok = await new Promise<boolean>((resolve) => {
      waiters.push(() => resolve(true));
      timer = setTimeout(() => resolve(false), left);
    });
    clearTimeout(timer);
    return ok;
  }

  async function introspect(token: string): Promise<boolean> {
    try {
      const res = await fetchFn(`${issuer}/introspect`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(3_000),
      });
      if (res.status !== 200) throw new Error(String(res.status));
      const body = (await res.json()) as { active?: unknown };
      return body.active === true;
    } catch {
      throw new MandateTokenError('unavailable', 'the revocation feed is down and introspection failed; try again', challenge);
    }
  }

  async function verify(token: string, opts: { scope?: string | readonly string[] } = {}): Promise<VerifiedToken> {
    const needed = opts.scope === undefined ? [] : typeof opts.scope === 'string' ? opts.scope.split(' ').filter(Boolean) : [...opts.scope];
    const scopeChallenge = { ...challenge, scope: needed.join(' ') || undefined };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: o.audience,
        typ: 'at+jwt',
        algorithms: ['ES256'],
        clockTolerance: o.clockToleranceSeconds ?? 5,
        currentDate: new Date(now() * 1000),
        requiredClaims: ['exp', 'iat', 'jti'],
      }));
    } catch (e) {
      if (e instanceof joseErrors.JWKSTimeout || (e instanceof Error && !(e instanceof joseErrors.JOSEError))) {
        throw new MandateTokenError('unavailable', 'the signing keys of the issuer could not be fetched', challenge);
      }
      const why = e instanceof joseErrors.JWTExpired ? 'the token has expired' : 'the token is not valid for this resource';
      throw new MandateTokenError('invalid_token', why, scopeChallenge);
    }
    const grantId = str(payload.grant_id);
    const sub = str(payload.sub);
    const clientId = str(payload.client_id);
    const act = payload.act;
    const agent = typeof act === 'object' && act !== null && 'sub' in act ? str((act as { sub: unknown }).sub) : undefined;
    const scopeClaim = typeof payload.scope === 'string' ? payload.scope : undefined;
    if (!grantId || !sub || !clientId || !agent || scopeClaim === undefined || typeof payload.exp !== 'number') {
      throw new MandateTokenError('invalid_token', 'the token lacks a Mandate claim (grant_id, sub, act, client_id, scope)', scopeChallenge);
    }
    if (dead.has(grantId)) throw new MandateTokenError('revoked', 'the grant behind this token has ended', scopeChallenge);
    if (!(await feedUp())) {
      if (whenFeedDown === 'fail_closed') {
        throw new MandateTokenError('unavailable', 'revocation state is unknown (the feed from the issuer is down); refusing', challenge);
      }
      if (!(await introspect(token))) throw new MandateTokenError('revoked', 'the issuer says this token is no longer active', scopeChallenge);
    } else if (dead.has(grantId)) {
      throw new MandateTokenError('revoked', 'the grant behind this token has ended', scopeChallenge);
    }
    const scope = scopeClaim.split(' ').filter(Boolean);
    const missing = needed.filter((s) => !scope.includes(s));
    if (missing.length > 0) throw new MandateTokenError('insufficient_scope', `this needs scope ${missing.join(' ')}`, scopeChallenge);
    const parsedDetails = payload.authorization_details === undefined ? undefined : authorizationDetails.safeParse(payload.authorization_details);
    if (parsedDetails?.success === false) throw new MandateTokenError('invalid_token', 'the token carries malformed authorization_details', scopeChallenge);
    const details = parsedDetails?.data;
    return { sub, agent, clientId, scope, grantId, expiresAt: payload.exp, token, ...(details ? { authorizationDetails: details } : {}) };
  }

  return {
    verify,
    ready: () => readyPromise,
    isDead: (id) => dead.has(id),
    options: {
      issuer,
      audience: o.audience,
      clientId: o.clientId,
      feedTimeoutMs,
      whenFeedDown,
      resourceMetadata: o.resourceMetadata,
      authorization,
      fetch: fetchFn,
    },
    async close() {
      clearInterval(pruner);
      feed.close();
    },
  };
}
