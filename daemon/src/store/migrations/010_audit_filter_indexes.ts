/**
 * Audit filter indexes that answer the other equality filters themselves (issue 14; pinned by
 * daemon/test/query-plans.test.ts). Migration 009 gave each filter column an index `(column, id)`: a query is
 * driven by the rarest one walked backwards by id, and every other filter (agent, resource, outcome, type) was
 * checked on the table row, one random read per index entry. Where each filter is common but they rarely
 * meet (an agent, a resource and `refused`: 41,000 entries of the agent walked for 200 rows), that was
 * 45–110 ms at 1M rows.
 *
 * Each filter index now carries the other equality columns after `id`. The order `(column, id)` is unchanged,
 * so the walk is still newest first and stops after `limit` matches, but SQLite reads the other columns from
 * the index entry and seeks the table row only for rows that match (its deferred seek): the walk costs a
 * sequential index read per entry instead of a random table read. Same number of indexes, wider entries.
 */
export const sql = /* sql */ `
DROP INDEX audit_by_agent;
DROP INDEX audit_by_resource;
DROP INDEX audit_by_outcome;
DROP INDEX audit_by_type;
DROP INDEX audit_by_type_outcome;
CREATE INDEX audit_filter_agent ON audit (agent, id, resource, outcome, type);
CREATE INDEX audit_filter_resource ON audit (resource, id, agent, outcome, type);
CREATE INDEX audit_filter_outcome ON audit (outcome, id, agent, resource, type);
CREATE INDEX audit_filter_type ON audit (type, id, agent, resource, outcome);
CREATE INDEX audit_filter_type_outcome ON audit (type, outcome, id, agent, resource);
`;
