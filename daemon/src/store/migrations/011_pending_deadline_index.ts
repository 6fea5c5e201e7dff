/**
 * The expiry sweep's pending half by index (issue 14; pinned by daemon/test/query-plans.test.ts). The sweep runs
 * at start and every five seconds; it ends requests whose decision deadline passed. grants_by_status holds
 * `expires_at`, which a pending request does not have yet, so the sweep read every pending request's row to
 * compare its deadline: 3–4 ms of a start with a thousand of them open (bench/scale.ts's seeded store), and on
 * every sweep after. A partial index of the pending requests by deadline makes it a range seek that reads only
 * the requests that are due, and costs nothing for a grant once it is decided. It leads with `status` (one value)
 * so that, without statistics, SQLite ranks it above grants_by_status's `status = ?` alone.
 */
export const sql = /* sql */ `
CREATE INDEX grants_pending_by_deadline ON grants (status, request_expires_at) WHERE status = 'pending';
`;
