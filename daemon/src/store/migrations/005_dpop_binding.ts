export const sql = /* sql */ `
-- Extension credentials are bound to the extension's proof key (RFC 9449 DPoP, by RFC 7638 thumbprint);
-- a credential without a key is refused as an extension credential. CLI credentials keep jkt NULL.
ALTER TABLE admin_credentials ADD COLUMN jkt TEXT;

-- The daemon's long-lived identity key (not a token signing key): the extension pins its public half at
-- pairing and checks a signed challenge with it before it sends a credential to whatever answers on the port.
CREATE TABLE daemon_identity (
  id          INTEGER PRIMARY KEY CHECK (id = 1),  -- one row
  private_jwk TEXT NOT NULL,
  public_jwk  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;
`;
