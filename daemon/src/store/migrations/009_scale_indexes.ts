/**
 * Indexes the history and audit reads need at scale (issue 14; pinned by daemon/test/query-plans.test.ts):
 * the newest grants of any status in the order the admin API lists them, and each audit filter with `id`, so
 * `ORDER BY id DESC LIMIT n` walks one index backwards and stops after n rows instead of scanning the trail.
 *
 * audit_ts_steps lists the rows whose ts is earlier than the row before (the clock stepped back). While it is
 * empty, ts grows with id, so a since/until filter is an id range found with two seeks on audit_by_ts
 * (store/audit-query.ts). Filled once here for the rows already written, then by a trigger.
 */
export const sql = /* sql */ `
CREATE INDEX grants_by_created ON grants (created_at DESC, id);
CREATE INDEX audit_by_type ON audit (type, id);
CREATE INDEX audit_by_resource ON audit (resource, id);
CREATE INDEX audit_by_outcome ON audit (outcome, id);
-- type and outcome are each common but often exclusive (token.issued is never refused): together, one seek.
CREATE INDEX audit_by_type_outcome ON audit (type, outcome, id);

CREATE TABLE audit_ts_steps (id INTEGER PRIMARY KEY) STRICT;
INSERT INTO audit_ts_steps (id)
  SELECT id FROM (SELECT id, ts, max(ts) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM audit)
  WHERE ts < before;
CREATE TRIGGER audit_ts_step AFTER INSERT ON audit
  WHEN NEW.ts < (SELECT ts FROM audit WHERE id < NEW.id ORDER BY id DESC LIMIT 1)
BEGIN
  INSERT OR IGNORE INTO audit_ts_steps (id) VALUES (NEW.id);
END;
`;
