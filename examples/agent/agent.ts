/**
 * A small agent that asks a person for a delegation through Mandate and uses it the standard way, with
 * openid-client 6 (a certified, general-purpose OAuth client; nothing here is Mandate-specific code):
 *
 * 1. discover the daemon (RFC 8414 metadata),
 * 2. ask with OpenID CIBA (`/bc-authorize`) and poll, honouring `authorization_pending` and `slow_down`,
 * 3. renew by RFC 8693 token exchange before the access token's `exp`,
 * 4. end the task with RFC 7009 revocation (the daemon then ends the delegation),
 * and read Mandate's extension members: when the delegation ends, whether it was shortened or narrowed,
 * and, when it stops, why (`mandate_reason`). Walk-through: docs/agents.md. Tested: daemon/test/example-agent.test.ts.
 */
import * as client from 'openid-client';

const GRANT_TYPE_CIBA = 'urn:openid:params:grant-type:ciba';
const GRANT_TYPE_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
/** CIBA §11: after `slow_down` the client waits at least 5 seconds longer for this and every later poll. */
const SLOW_DOWN_STEP = 5;
/** Renew this many seconds before the access token expires. */
const RENEW_MARGIN = 60;

/** Why a delegation stops giving tokens (Mandate's `mandate_reason`), plus the CIBA outcomes before the first one. */
export type EndReason = 'revoked' | 'expired' | 'ended' | 'needs_approval' | 'denied' | 'request_expired';

export class DelegationEnded extends Error {
  override name = 'DelegationEnded';
  constructor(
    readonly reason: EndReason,
    message: string,
  ) {
    super(message);
  }
}

export interface AgentOptions {
  /** The daemon's issuer, e.g. http://127.0.0.1:7457 */
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** The one API the token is for (RFC 8707). */
  resource: string;
  scope: string;
  /** What the person reads: the task, in a sentence. */
  task: string;
  /** How long the agent asks the delegation to last, in seconds. */
  requestedExpiry: number;
  /** Waits this many seconds (a test passes one that moves its clock). */
  sleep?: (seconds: number) => Promise<void>;
  /** Unix seconds now. */
  now?: () => number;
  log?: (line: string) => void;
}

/** What the person allowed, as the token response tells it. */
export interface DelegationTerms {
  scope: string;
  /** Unix seconds when the delegation ends (no token outlives it). */
  endsAt: number;
  /** Ends sooner than asked: the person chose a shorter time, or an organisational cap applied. */
  shortened: boolean;
  /** Fewer scopes than asked: the person unticked some, or policy blocked them. */
  narrowed: boolean;
}

const realSleep = (s: number) => new Promise<void>((resolve) => setTimeout(resolve, s * 1000));
const realNow = () => Math.floor(Date.now() / 1000);

/**
 * RFC 8414 discovery. openid-client defaults to OpenID Connect discovery (`/.well-known/openid-configuration`);
 * Mandate is an OAuth 2 authorization server, so `algorithm: 'oauth2'` reads `/.well-known/oauth-authorization-server`.
 * openid-client refuses plain http; the daemon only listens on loopback, where http is what it serves, so
 * `allowInsecureRequests` is turned on for a loopback issuer and never for anything else.
 */
export async function connect(o: Pick<AgentOptions, 'issuer' | 'clientId' | 'clientSecret'>): Promise<client.Configuration> {
  const loopback = o.issuer.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(o.issuer.hostname);
  return client.discovery(o.issuer, o.clientId, undefined, client.ClientSecretBasic(o.clientSecret), {
    algorithm: 'oauth2',
    ...(loopback ? { execute: [client.allowInsecureRequests] } : {}),
  });
}

/** The token response's Mandate members (RFC 6749 §5.1 lets a client ignore them; this agent reads them). */
function termsOf(res: client.TokenEndpointResponse, now: number): DelegationTerms {
  const expiresIn = typeof res.authorization_expires_in === 'number' ? res.authorization_expires_in : (res.expires_in ?? 0);
  return { scope: res.scope ?? '', endsAt: now + expiresIn, shortened: res.mandate_shortened === true, narrowed: res.mandate_narrowed === true };
}

/** An OAuth error answer, with Mandate's reason when it gave one. */
function oauthError(e: unknown): { error: string; reason: string | undefined; description: string } | undefined {
  if (!(e instanceof client.ResponseBodyError)) return undefined;
  const reason = e.cause.mandate_reason;
  return { error: e.error, reason: typeof reason === 'string' ? reason : undefined, description: e.error_description ?? e.error };
}

function ended(e: unknown, fallback: EndReason): DelegationEnded | undefined {
  const err = oauthError(e);
  if (!err) return undefined;
  const known: EndReason[] = ['revoked', 'expired', 'ended', 'needs_approval'];
  const reason = known.find((r) => r === err.reason) ?? fallback;
  return new DelegationEnded(reason, `${err.error}: ${err.description}`);
}

/** A live delegation: hands out a fresh access token, renewing it by token exchange before it expires. */
export class Delegation {
  private constructor(
    private readonly config: client.Configuration,
    private readonly o: Required<Pick<AgentOptions, 'now' | 'log'>>,
    private token: string,
    private tokenExpiresAt: number,
    public terms: DelegationTerms,
  ) {}

  /** Asks the person (CIBA, poll mode) and waits for the decision. */
  static async ask(config: client.Configuration, opts: AgentOptions): Promise<Delegation> {
    const sleep = opts.sleep ?? realSleep;
    const now = opts.now ?? realNow;
    const log = opts.log ?? (() => {});
    const started = await client.initiateBackchannelAuthentication(config, {
      scope: opts.scope,
      resource: opts.resource,
      binding_message: opts.task,
      requested_expiry: String(opts.requestedExpiry),
    });
    let interval = started.interval ?? 5;
    log(`asked the person (request expires in ${started.expires_in}s); polling every ${interval}s`);
    for (;;) {
      await sleep(interval);
      try {
        // openid-client's pollBackchannelAuthenticationGrant runs this same loop with real timers; it is
        // spelled out here so the waits can be tested and the refusal reasons read.
        const res = await client.genericGrantRequest(config, GRANT_TYPE_CIBA, { auth_req_id: started.auth_req_id });
        const t = now();
        const d = new Delegation(config, { now, log }, res.access_token, t + (res.expires_in ?? 0), termsOf(res, t));
        log(`approved: ${d.terms.scope}, ends at ${d.terms.endsAt}${d.terms.shortened ? ' (shortened)' : ''}${d.terms.narrowed ? ' (narrowed)' : ''}`);
        return d;
      } catch (e) {
        const err = oauthError(e);
        if (err?.error === 'authorization_pending') continue;
        if (err?.error === 'slow_down') {
          interval += SLOW_DOWN_STEP;
          log(`slow_down: polling every ${interval}s from now on`);
          continue;
        }
        if (err?.error === 'access_denied') throw new DelegationEnded('denied', 'the person denied the request');
        if (err?.error === 'expired_token') throw new DelegationEnded('request_expired', 'the person did not decide in time');
        throw e;
      }
    }
  }

  /** A token valid for at least RENEW_MARGIN seconds (unless the delegation itself ends sooner). */
  async accessToken(): Promise<string> {
    const now = this.o.now();
    if (now >= this.terms.endsAt) throw new DelegationEnded('expired', 'the delegation has ended; ask the person again');
    if (this.tokenExpiresAt - now > RENEW_MARGIN || this.tokenExpiresAt >= this.terms.endsAt) return this.token;
    try {
      const res = await client.genericGrantRequest(this.config, GRANT_TYPE_TOKEN_EXCHANGE, {
        subject_token: this.token,
        subject_token_type: TOKEN_TYPE_ACCESS_TOKEN,
      });
      const t = this.o.now();
      this.o.log(`renewed ${this.tokenExpiresAt - now}s before the token's exp`);
      this.token = res.access_token;
      this.tokenExpiresAt = t + (res.expires_in ?? 0);
      this.terms = termsOf(res, t);
      return this.token;
    } catch (e) {
      throw ended(e, 'expired') ?? e;
    }
  }

  /** RFC 7009: revoking its token tells the daemon the task is done, which ends the delegation. */
  async finish(): Promise<void> {
    await client.tokenRevocation(this.config, this.token, { token_type_hint: 'access_token' });
    this.o.log('task done: delegation ended');
  }
}

/** Connects, asks, runs `work` with a token getter, and ends the delegation when the work is done. */
export async function runTask(opts: AgentOptions, work: (accessToken: () => Promise<string>, terms: () => DelegationTerms) => Promise<void>) {
  const config = await connect(opts);
  const delegation = await Delegation.ask(config, opts);
  try {
    await work(
      () => delegation.accessToken(),
      () => delegation.terms,
    );
  } finally {
    // Also after a failure: a delegation the agent no longer needs should not stay live. Revoking a token
    // of a delegation that has already stopped is answered 200 too (RFC 7009 §2.2).
    await delegation.finish();
  }
  return delegation.terms;
}
