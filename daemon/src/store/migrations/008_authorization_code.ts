/**
 * MCP clients (authorization code + PKCE): how a client came to exist besides `mandate agents add`
 * (a client ID metadata document or dynamic registration), the browser side of a pending /authorize request,
 * single-use codes and rotating refresh tokens. Codes and refresh tokens are stored only as SHA-256 hashes.
 */
export const sql = /* sql */ `
CREATE TABLE client_registrations (
  client_id     TEXT PRIMARY KEY REFERENCES clients (client_id),
  source        TEXT NOT NULL CHECK (source IN ('metadata_document', 'dynamic')),
  public        INTEGER NOT NULL CHECK (public IN (0, 1)),   -- 1: PKCE only, no secret (token_endpoint_auth_method none)
  client_name   TEXT,                                        -- as claimed by the client, never verified
  redirect_uris TEXT NOT NULL,                               -- JSON array, matched exactly (loopback: any port)
  logo_uri      TEXT,
  client_uri    TEXT,
  fetched_at    INTEGER,                                     -- metadata documents: when it was last fetched
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER
) STRICT;

CREATE TABLE authorize_requests (
  grant_id       TEXT PRIMARY KEY REFERENCES grants (id),
  wait_hash      BLOB NOT NULL UNIQUE,     -- SHA-256 of the waiting-page handle
  redirect_uri   TEXT NOT NULL,
  state          TEXT,
  code_challenge TEXT NOT NULL,            -- S256
  issuer         TEXT NOT NULL,            -- the issuer the client discovered (127.0.0.1 or localhost), for RFC 9207 iss
  answered_at    INTEGER                   -- when the tab was sent back to the client (code or error)
) STRICT;

CREATE TABLE authorization_codes (
  code_hash      BLOB PRIMARY KEY,
  grant_id       TEXT NOT NULL REFERENCES grants (id),
  client_id      TEXT NOT NULL,
  redirect_uri   TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  resource       TEXT NOT NULL,
  expires_at     INTEGER NOT NULL,
  used_at        INTEGER
) STRICT;
CREATE INDEX authorization_codes_by_grant ON authorization_codes (grant_id);

CREATE TABLE refresh_tokens (
  token_hash BLOB PRIMARY KEY,
  grant_id   TEXT NOT NULL REFERENCES grants (id),
  client_id  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  used_at    INTEGER                       -- set when rotated; a second use ends the grant
) STRICT;
CREATE INDEX refresh_tokens_by_grant ON refresh_tokens (grant_id);
`;
