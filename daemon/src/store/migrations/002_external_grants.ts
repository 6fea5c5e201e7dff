export const sql = /* sql */ `
-- Delegations a person gave a third-party agent platform at a provider's consent page (flow D).
-- Mandate never holds those tokens: it records what was asked, what was allowed, until when, and the outcome.
CREATE TABLE external_grants (
  id                    TEXT PRIMARY KEY,
  platform              TEXT NOT NULL,      -- chatgpt, claude, local, or custom:<label>
  provider_host         TEXT NOT NULL,      -- the authorization server's host
  client_id             TEXT NOT NULL,
  redirect_uri          TEXT NOT NULL,
  requested_scope       TEXT NOT NULL,      -- space-delimited
  allowed_scope         TEXT NOT NULL,      -- space-delimited; what the person let through
  resource              TEXT,
  authorization_details TEXT,               -- JSON, as sent
  pkce                  INTEGER NOT NULL CHECK (pkce IN (0, 1)),
  status                TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'denied', 'blocked', 'expired', 'revoked')),
  created_at            INTEGER NOT NULL,
  expires_at            INTEGER NOT NULL,   -- chosen by the person
  outcome_at            INTEGER,
  outcome_error         TEXT,
  ended_at              INTEGER
) STRICT;
CREATE INDEX external_grants_by_status ON external_grants (status, expires_at);
`;
