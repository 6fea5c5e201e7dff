import type { Database } from 'better-sqlite3';
import type { GrantStatus } from '#shared/admin-api.js';
import type { AuthorizationDetail } from '#shared/oauth.js';
import { livenessReader } from './liveness-cache.js';
import { onFirstUse } from './first-use.js';

export interface GrantRecord {
  id: string;
  client_id: string;
  agent_name: string;
  sub: string;
  resource: string;
  binding_message: string | null;
  requested_scope: string[];
  requested_duration: number;
  /** requested_expiry as the agent sent it, before a policy cap (null on rows older than migration 006). */
  asked_duration: number | null;
  authorization_details: AuthorizationDetail[] | null;
  status: GrantStatus;
  created_at: number;
  request_expires_at: number;
  poll_interval: number;
  last_polled_at: number | null;
  approved_scope: string[] | null;
  decided_at: number | null;
  decided_by: string | null;
  decided_via: string | null;
  expires_at: number | null;
  token_delivered_at: number | null;
  ended_at: number | null;
  ended_by: string | null;
  last_used_at: number | null;
}

export type NewGrant = Pick<
  GrantRecord,
  | 'id'
  | 'client_id'
  | 'sub'
  | 'resource'
  | 'binding_message'
  | 'requested_scope'
  | 'requested_duration'
  | 'asked_duration'
  | 'authorization_details'
  | 'created_at'
  | 'request_expires_at'
  | 'poll_interval'
> & { auth_req_hash: Buffer };

export interface Decision {
  at: number;
  by: string;
  via: string;
}

type GrantRow = Omit<GrantRecord, 'requested_scope' | 'approved_scope' | 'authorization_details'> & {
  requested_scope: string;
  approved_scope: string | null;
  authorization_details: string | null;
};

const splitScope = (s: string): string[] => (s === '' ? [] : s.split(' '));

function toRecord(row: GrantRow): GrantRecord {
  return {
    ...row,
    requested_scope: splitScope(row.requested_scope),
    approved_scope: row.approved_scope === null ? null : splitScope(row.approved_scope),
    authorization_details: row.authorization_details === null ? null : (JSON.parse(row.authorization_details) as AuthorizationDetail[]),
  };
}

/** Every column of a grant record but the agent's name, which lives in clients. */
const COLUMNS = [
  'id',
  'client_id',
  'sub',
  'resource',
  'binding_message',
  'requested_scope',
  'requested_duration',
  'asked_duration',
  'authorization_details',
  'status',
  'created_at',
  'request_expires_at',
  'poll_interval',
  'last_polled_at',
  'approved_scope',
  'decided_at',
  'decided_by',
  'decided_via',
  'expires_at',
  'token_delivered_at',
  'ended_at',
  'ended_by',
  'last_used_at',
];

const SELECT = `SELECT ${COLUMNS.map((c) => `g.${c}`).join(', ')}, c.name AS agent_name
  FROM grants g JOIN clients c ON c.client_id = g.client_id`;

/** A state change answers with the whole record it left behind, so nothing is read a second time. */
const RETURNING = `RETURNING ${COLUMNS.join(', ')}, (SELECT name FROM clients WHERE client_id = grants.client_id) AS agent_name`;

/** History, newest first: walks grants_by_created (migration 009) and stops at the limit; pinned by query-plans.test.ts. */
export const LIST_ALL_SQL = `${SELECT} ORDER BY g.created_at DESC, g.id LIMIT @limit`;

/**
 * The token check on every exchange and agent revocation, in one statement (one WAL read): the issued `jti` and
 * its grant, each found by its key; pinned by query-plans.test.ts.
 */
export const TOKEN_GRANT_SQL = `${SELECT} JOIN tokens t ON t.grant_id = g.id WHERE t.jti = ?`;

/** The expiry sweep: approved grants past their end and pending requests past their deadline, each by index. */
export const EXPIRE_DUE_SQL = `UPDATE grants SET status = 'expired', ended_at = COALESCE(expires_at, request_expires_at)
     WHERE (status = 'approved' AND expires_at <= @now) OR (status = 'pending' AND request_expires_at <= @now)`;

const LIVE = `status = 'approved' AND expires_at > @now`;

export function grantsRepo(db: Database) {
  const insert = onFirstUse(() =>
    db.prepare(`INSERT INTO grants (id, auth_req_hash, client_id, sub, resource, binding_message,
    requested_scope, requested_duration, asked_duration, authorization_details, status, created_at, request_expires_at, poll_interval)
    VALUES (@id, @auth_req_hash, @client_id, @sub, @resource, @binding_message, @requested_scope, @requested_duration, @asked_duration,
    @authorization_details, 'pending', @created_at, @request_expires_at, @poll_interval)`),
  );
  const byId = onFirstUse(() => db.prepare<[string], GrantRow>(`${SELECT} WHERE g.id = ?`));
  const byAuthReq = onFirstUse(() => db.prepare<[Buffer], GrantRow>(`${SELECT} WHERE g.auth_req_hash = ?`));
  const byTokenJti = onFirstUse(() => db.prepare<[string], GrantRow>(TOKEN_GRANT_SQL));
  const livenessByJti = livenessReader(db);
  const pending = onFirstUse(() =>
    db.prepare<{ now: number }, GrantRow>(`${SELECT} WHERE g.status = 'pending' AND g.request_expires_at > @now ORDER BY g.created_at, g.id`),
  );
  const live = onFirstUse(() =>
    db.prepare<{ now: number }, GrantRow>(`${SELECT} WHERE g.status = 'approved' AND g.expires_at > @now ORDER BY g.expires_at, g.id`),
  );
  const heldBy = onFirstUse(() =>
    db.prepare<{ client_id: string; resource: string; now: number }, { approved_scope: string }>(
      `SELECT approved_scope FROM grants WHERE client_id = @client_id AND resource = @resource AND ${LIVE} ORDER BY expires_at, id`,
    ),
  );
  const all = onFirstUse(() => db.prepare<{ limit: number }, GrantRow>(LIST_ALL_SQL));

  const approve = onFirstUse(() =>
    db.prepare<{ id: string; now: number; scope: string; expires_at: number } & Decision, GrantRow>(
      `UPDATE grants SET status = 'approved', approved_scope = @scope, expires_at = @expires_at,
       decided_at = @at, decided_by = @by, decided_via = @via
     WHERE id = @id AND status = 'pending' AND request_expires_at > @now ${RETURNING}`,
    ),
  );
  const deny = onFirstUse(() =>
    db.prepare<{ id: string; now: number } & Decision, GrantRow>(
      `UPDATE grants SET status = 'denied', decided_at = @at, decided_by = @by, decided_via = @via
     WHERE id = @id AND status = 'pending' AND request_expires_at > @now ${RETURNING}`,
    ),
  );
  const poll = onFirstUse(() =>
    db.prepare<{ id: string; now: number; interval: number }>(`UPDATE grants SET last_polled_at = @now, poll_interval = @interval WHERE id = @id`),
  );
  const deliver = onFirstUse(() =>
    db.prepare<{ id: string; now: number }, GrantRow>(
      `UPDATE grants SET token_delivered_at = @now, last_used_at = @now
     WHERE id = @id AND ${LIVE} AND token_delivered_at IS NULL ${RETURNING}`,
    ),
  );
  const use = onFirstUse(() =>
    db.prepare<{ id: string; now: number }, GrantRow>(
      `UPDATE grants SET last_used_at = @now WHERE id = @id AND ${LIVE} AND token_delivered_at IS NOT NULL ${RETURNING}`,
    ),
  );
  const end = onFirstUse(() =>
    db.prepare<{ id: string; now: number; status: 'revoked' | 'ended'; by: string }, GrantRow>(
      `UPDATE grants SET status = @status, ended_at = @now, ended_by = @by WHERE id = @id AND ${LIVE} ${RETURNING}`,
    ),
  );
  const endAll = onFirstUse(() =>
    db.prepare<{ now: number; by: string }, GrantRow>(`UPDATE grants SET status = 'revoked', ended_at = @now, ended_by = @by WHERE ${LIVE} ${RETURNING}`),
  );
  const endForClient = onFirstUse(() =>
    db.prepare<{ now: number; by: string; client_id: string }, GrantRow>(
      `UPDATE grants SET status = 'revoked', ended_at = @now, ended_by = @by WHERE client_id = @client_id AND ${LIVE} ${RETURNING}`,
    ),
  );
  const denyForClient = onFirstUse(() =>
    db.prepare<{ now: number; by: string; client_id: string }, GrantRow>(
      `UPDATE grants SET status = 'denied', decided_at = @now, decided_by = @by, decided_via = 'agent-removed'
     WHERE client_id = @client_id AND status = 'pending' AND request_expires_at > @now ${RETURNING}`,
    ),
  );
  const expire = onFirstUse(() => db.prepare<{ now: number }, GrantRow>(`${EXPIRE_DUE_SQL} ${RETURNING}`));

  return {
    insert(g: NewGrant): void {
      insert().run({
        ...g,
        requested_scope: g.requested_scope.join(' '),
        authorization_details: g.authorization_details === null ? null : JSON.stringify(g.authorization_details),
      });
    },
    get(id: string): GrantRecord | undefined {
      const row = byId().get(id);
      return row && toRecord(row);
    },
    /** The grant of the token this daemon issued with `jti`; undefined when it issued none (or forgot it after expiry). */
    getByTokenJti(jti: string): GrantRecord | undefined {
      const row = byTokenJti().get(jti);
      return row && toRecord(row);
    },
    /**
     * Whether the token this daemon issued with `jti` stands on a live grant; undefined when it issued none.
     * Answered from memory until SQLite reports a change to the token or its grant (liveness-cache.ts).
     */
    livenessByTokenJti: livenessByJti,
    getByAuthReqHash(hash: Buffer): GrantRecord | undefined {
      const row = byAuthReq().get(hash);
      return row && toRecord(row);
    },
    listPending: (now: number) => pending().all({ now }).map(toRecord),
    listLive: (now: number) => live().all({ now }).map(toRecord),
    /** The scopes `clientId` holds for `resource` through its live grants (what a step-up repeats). */
    heldScope(clientId: string, resource: string, now: number): string[] {
      return [
        ...new Set(
          heldBy()
            .all({ client_id: clientId, resource, now })
            .flatMap((r) => splitScope(r.approved_scope)),
        ),
      ];
    },
    listAll: (limit: number) => all().all({ limit }).map(toRecord),
    /** pending → approved, only while the request is still open. */
    approve(id: string, now: number, scope: string[], expiresAt: number, d: Decision): GrantRecord | undefined {
      const row = approve().get({ id, now, scope: scope.join(' '), expires_at: expiresAt, ...d });
      return row && toRecord(row);
    },
    deny(id: string, now: number, d: Decision): GrantRecord | undefined {
      const row = deny().get({ id, now, ...d });
      return row && toRecord(row);
    },
    recordPoll(id: string, now: number, interval: number): void {
      poll().run({ id, now, interval });
    },
    /** The CIBA token is handed out once; later polls with the same auth_req_id fail. */
    deliverFirstToken(id: string, now: number): GrantRecord | undefined {
      const row = deliver().get({ id, now });
      return row && toRecord(row);
    },
    /** Renewal check and last-use stamp in one statement: only a live grant answers. */
    markUsed(id: string, now: number): GrantRecord | undefined {
      const row = use().get({ id, now });
      return row && toRecord(row);
    },
    end(id: string, now: number, status: 'revoked' | 'ended', by: string): GrantRecord | undefined {
      const row = end().get({ id, now, status, by });
      return row && toRecord(row);
    },
    revokeAll: (now: number, by: string) => endAll().all({ now, by }).map(toRecord),
    revokeForClient: (clientId: string, now: number, by: string) =>
      [...endForClient().all({ now, by, client_id: clientId }), ...denyForClient().all({ now, by, client_id: clientId })].map(toRecord),
    expireDue: (now: number) => expire().all({ now }).map(toRecord),
  };
}
export type GrantsRepo = ReturnType<typeof grantsRepo>;
