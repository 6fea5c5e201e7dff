import type { Database } from 'better-sqlite3';
import type { AuditLog } from './audit/log.js';
import type { Clock } from './clock.js';
import type { EventBus, Transactor } from './events.js';
import type { PolicyHolder } from './policy/enforce.js';
import type { ClientsRepo } from './store/clients.repo.js';
import type { CredentialsRepo } from './store/credentials.repo.js';
import type { ExternalRepo } from './store/external.repo.js';
import type { GrantsRepo } from './store/grants.repo.js';
import type { TokensRepo } from './store/tokens.repo.js';
import type { SigningKeys } from './tokens/keys.js';
import type { VerifyAccessToken } from './tokens/verify.js';

export interface Limits {
  /** Longest delegation a person can approve, in seconds. */
  maxDelegationSeconds: number;
  /** Delegation asked for when an agent sends no `requested_expiry`. */
  defaultDelegationSeconds: number;
  /** How long a CIBA request waits for the person (`expires_in` of the auth_req_id). */
  requestLifetimeSeconds: number;
  /** Minimum CIBA polling interval (`interval`). */
  pollIntervalSeconds: number;
  pairingCodeLifetimeSeconds: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxDelegationSeconds: 24 * 3600,
  defaultDelegationSeconds: 3600,
  requestLifetimeSeconds: 600,
  pollIntervalSeconds: 5,
  pairingCodeLifetimeSeconds: 600,
};

/** Everything a handler needs, built once at start-up (see daemon.ts). */
export interface DaemonContext {
  db: Database;
  clock: Clock;
  issuer: string;
  person: string;
  dataDir: string;
  /** The package version (read from package.json at the first call: version.ts). */
  version: () => string;
  limits: Limits;
  /** Organisation policy in force (daemon file, made stricter by the browser's managed policy). */
  policy: PolicyHolder;
  clients: ClientsRepo;
  grants: GrantsRepo;
  tokens: TokensRepo;
  credentials: CredentialsRepo;
  external: ExternalRepo;
  audit: AuditLog;
  keys: SigningKeys;
  verifyAccessToken: VerifyAccessToken;
  tx: Transactor;
  bus: EventBus;
  log: (message: string) => void;
}
