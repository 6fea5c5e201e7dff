/**
 * What a person can be shown of RFC 9396 `authorization_details`, in full, on a 360 px popup card. The daemon
 * refuses anything beyond these at /bc-authorize, and every renderer disables approval past them: if it cannot be
 * shown, it cannot be approved. One definition for both sides.
 */
export const DETAILS_LIMITS = {
  /** Entries (objects) in the array. */
  maxEntries: 10,
  /** Values shown for one entry once flattened (each array item counts as one). */
  maxFieldsPerEntry: 40,
  /** Characters in any one key or string value. */
  maxStringLength: 256,
  /** Objects and arrays nested inside one another, counting the entry itself as 1. */
  maxDepth: 4,
} as const;
