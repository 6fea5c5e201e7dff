export const sql = /* sql */ `
-- What the agent asked for (requested_expiry, seconds) before an organisational cap shortened it, so a token
-- response can say the delegation was shortened. NULL on requests made before this column existed.
ALTER TABLE grants ADD COLUMN asked_duration INTEGER;
`;
