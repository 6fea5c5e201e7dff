export const sql = /* sql */ `
-- The revocation feed: one row per grant that stops being live, written by a trigger in the same transaction
-- as the grant's state change, so a committed revocation always has its sequence number (SSE id) and vice versa.
CREATE TABLE grant_endings (
  seq      INTEGER PRIMARY KEY,  -- rows are never deleted, so max + 1 is monotonic: Last-Event-ID resumes exactly
  grant_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  status   TEXT NOT NULL CHECK (status IN ('revoked', 'ended', 'expired')),
  at       INTEGER NOT NULL
) STRICT;
CREATE INDEX grant_endings_by_resource ON grant_endings (resource, seq);

CREATE TRIGGER grant_endings_on_end AFTER UPDATE OF status ON grants
  WHEN OLD.status = 'approved' AND NEW.status IN ('revoked', 'ended', 'expired')
BEGIN
  INSERT INTO grant_endings (grant_id, resource, status, at) VALUES (NEW.id, NEW.resource, NEW.status, COALESCE(NEW.ended_at, 0));
END;

-- Tool-call decisions reported by resource servers, deduplicated by (reporter, id): at-least-once delivery.
CREATE TABLE tool_calls (
  reporter    TEXT NOT NULL,                  -- client_id of the resource server
  id          TEXT NOT NULL,                  -- the reporter's id for this call
  grant_id    TEXT NOT NULL REFERENCES grants (id),
  tool        TEXT NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused')),
  reason      TEXT,
  at          INTEGER NOT NULL,               -- when the resource server decided
  received_at INTEGER NOT NULL,
  PRIMARY KEY (reporter, id)
) STRICT;
CREATE INDEX tool_calls_by_grant ON tool_calls (grant_id, at);
`;
