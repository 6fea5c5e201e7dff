import type { Database } from 'better-sqlite3';
import type { ExternalGrantView, ExternalStatus } from '#shared/admin-api.js';
import { onFirstUse } from './first-use.js';

type Row = Omit<ExternalGrantView, 'requested_scope' | 'allowed_scope' | 'pkce'> & {
  requested_scope: string;
  allowed_scope: string;
  pkce: number;
};

const split = (s: string): string[] => (s === '' ? [] : s.split(' '));
const toView = (r: Row): ExternalGrantView => ({ ...r, requested_scope: split(r.requested_scope), allowed_scope: split(r.allowed_scope), pkce: r.pkce === 1 });

const COLUMNS = `id, platform, provider_host, client_id, redirect_uri, requested_scope, allowed_scope, resource,
  authorization_details, pkce, status, created_at, expires_at, outcome_at, outcome_error, ended_at`;

/** External grants: state changes are single conditional statements, like the daemon's own grants. */
export function externalRepo(db: Database) {
  const insert = onFirstUse(() =>
    db.prepare(`INSERT INTO external_grants (${COLUMNS}) VALUES (@id, @platform, @provider_host, @client_id,
    @redirect_uri, @requested_scope, @allowed_scope, @resource, @authorization_details, @pkce, @status, @created_at,
    @expires_at, NULL, NULL, @ended_at)`),
  );
  const byId = onFirstUse(() => db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM external_grants WHERE id = ?`));
  const live = onFirstUse(() =>
    db.prepare<{ now: number }, Row>(
      `SELECT ${COLUMNS} FROM external_grants WHERE status IN ('pending', 'granted') AND expires_at > @now ORDER BY expires_at, id`,
    ),
  );
  const all = onFirstUse(() => db.prepare<{ limit: number }, Row>(`SELECT ${COLUMNS} FROM external_grants ORDER BY created_at DESC, id LIMIT @limit`));
  const outcome = onFirstUse(() =>
    db.prepare<{ id: string; now: number; status: ExternalStatus; error: string | null }, { id: string }>(
      `UPDATE external_grants SET status = @status, outcome_at = @now, outcome_error = @error
     WHERE id = @id AND status = 'pending' RETURNING id`,
    ),
  );
  const revoke = onFirstUse(() =>
    db.prepare<{ id: string; now: number }, { id: string }>(
      `UPDATE external_grants SET status = 'revoked', ended_at = @now WHERE id = @id AND status IN ('pending', 'granted') RETURNING id`,
    ),
  );
  const expire = onFirstUse(() =>
    db.prepare<{ now: number }, { id: string }>(
      `UPDATE external_grants SET status = 'expired', ended_at = expires_at
     WHERE status IN ('pending', 'granted') AND expires_at <= @now RETURNING id`,
    ),
  );
  const read = (id: string) => toView(byId().get(id)!);
  return {
    insert(v: ExternalGrantView): void {
      insert().run({ ...v, requested_scope: v.requested_scope.join(' '), allowed_scope: v.allowed_scope.join(' '), pkce: v.pkce ? 1 : 0 });
    },
    get: (id: string) => {
      const r = byId().get(id);
      return r && toView(r);
    },
    listLive: (now: number) => live().all({ now }).map(toView),
    listAll: (limit: number) => all().all({ limit }).map(toView),
    setOutcome: (id: string, now: number, status: 'granted' | 'denied', error: string | null) => {
      const r = outcome().get({ id, now, status, error });
      return r && read(r.id);
    },
    revoke: (id: string, now: number) => {
      const r = revoke().get({ id, now });
      return r && read(r.id);
    },
    expireDue: (now: number) =>
      expire()
        .all({ now })
        .map((r) => read(r.id)),
  };
}
export type ExternalRepo = ReturnType<typeof externalRepo>;
