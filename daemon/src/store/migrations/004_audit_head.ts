export const sql = /* sql */ `
-- The keyed audit chain's head (audit/chain.ts), written in the same transaction as every audit row and MAC'ed
-- with the audit key, so deleting the last rows is detected. legacy_rows: rows chained with plain SHA-256
-- before the chain was keyed (verified as a legacy prefix).
CREATE TABLE audit_head (
  id          INTEGER PRIMARY KEY CHECK (id = 1),  -- one row
  last_id     INTEGER NOT NULL,
  last_mac    TEXT NOT NULL,
  count       INTEGER NOT NULL,
  legacy_rows INTEGER NOT NULL,
  mac         TEXT NOT NULL
) STRICT;
-- The hash of the row at the export cursor, so a rewound trail (ids reused after a truncation) is detected.
ALTER TABLE audit_export ADD COLUMN last_exported_hash TEXT;
`;
