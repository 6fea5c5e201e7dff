/**
 * Indexes the history and audit reads need at scale (issue 14; pinned by daemon/test/query-plans.test.ts):
 * the newest grants of any status in the order the admin API lists them, and each audit filter with `id`, so
 * `ORDER BY id DESC LIMIT n` walks one index backwards and stops after n rows instead of scanning the trail.
 */
export const sql = /* sql */ `
CREATE INDEX grants_by_created ON grants (created_at DESC, id);
CREATE INDEX audit_by_type ON audit (type, id);
CREATE INDEX audit_by_resource ON audit (resource, id);
CREATE INDEX audit_by_outcome ON audit (outcome, id);
`;
