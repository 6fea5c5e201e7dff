export const sql = /* sql */ `
-- Where the OTLP audit export has got to (audit/export.ts). The audit table itself is the queue: rows
-- after last_exported_id have not yet been accepted (2xx) by the organisation's collector.
CREATE TABLE audit_export (
  id               INTEGER PRIMARY KEY CHECK (id = 1),  -- one row
  last_exported_id INTEGER NOT NULL,                    -- highest audit.id the collector accepted
  last_success_at  INTEGER,
  last_error       TEXT,                                -- why the latest attempt failed; NULL after a success
  last_attempt_at  INTEGER
) STRICT;
`;
