export const sql = /* sql */ `
CREATE TABLE clients (
  client_id   TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('agent', 'resource_server')),
  name        TEXT NOT NULL,
  secret_hash BLOB NOT NULL,
  scopes      TEXT NOT NULL,           -- JSON array: the ceiling of scopes this client may ever ask for
  resources   TEXT NOT NULL,           -- JSON array: resources (RFC 8707) it may ask for, or introspect for
  created_at  INTEGER NOT NULL,
  removed_at  INTEGER
) STRICT;

CREATE TABLE grants (
  id                    TEXT PRIMARY KEY,
  auth_req_hash         BLOB NOT NULL UNIQUE,  -- SHA-256 of the CIBA auth_req_id
  client_id             TEXT NOT NULL REFERENCES clients (client_id),
  sub                   TEXT NOT NULL,
  resource              TEXT NOT NULL,
  binding_message       TEXT,
  requested_scope       TEXT NOT NULL,         -- space-delimited
  requested_duration    INTEGER NOT NULL,      -- seconds
  authorization_details TEXT,                  -- JSON (RFC 9396)
  status                TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'revoked', 'ended')),
  created_at            INTEGER NOT NULL,
  request_expires_at    INTEGER NOT NULL,
  poll_interval         INTEGER NOT NULL,
  last_polled_at        INTEGER,
  approved_scope        TEXT,
  decided_at            INTEGER,
  decided_by            TEXT,
  decided_via           TEXT,
  expires_at            INTEGER,
  token_delivered_at    INTEGER,
  ended_at              INTEGER,
  ended_by              TEXT,
  last_used_at          INTEGER
) STRICT;
CREATE INDEX grants_by_status ON grants (status, expires_at);
CREATE INDEX grants_by_client ON grants (client_id);

-- Issued tokens are remembered only by jti, grant and expiry; never the token itself.
CREATE TABLE tokens (
  jti        TEXT PRIMARY KEY,
  grant_id   TEXT NOT NULL REFERENCES grants (id),
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tokens_by_grant ON tokens (grant_id);
CREATE INDEX tokens_by_expiry ON tokens (expires_at);

CREATE TABLE admin_credentials (
  id           TEXT PRIMARY KEY,
  label        TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('cli', 'extension')),
  origin       TEXT,
  secret_hash  BLOB NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
) STRICT;

CREATE TABLE pairing_codes (
  code_hash  BLOB PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
) STRICT;

CREATE TABLE signing_keys (
  kid         TEXT PRIMARY KEY,
  alg         TEXT NOT NULL,
  private_jwk TEXT NOT NULL,
  public_jwk  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  retired_at  INTEGER
) STRICT;

-- Append-only, hash-chained: hash = SHA-256(prev_hash || canonical JSON of the row without hash).
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY,
  ts        INTEGER NOT NULL,
  type      TEXT NOT NULL,
  person    TEXT,
  agent     TEXT,
  resource  TEXT,
  scopes    TEXT NOT NULL,                   -- space-delimited, '' when none
  grant_id  TEXT,
  decision  TEXT,
  outcome   TEXT NOT NULL CHECK (outcome IN ('ok', 'refused')),
  detail    TEXT,                            -- JSON object
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_ts ON audit (ts);
CREATE INDEX audit_by_agent ON audit (agent, id);
`;
