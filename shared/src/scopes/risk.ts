/** Risk levels, least to most serious. */
export const RISK_ORDER = ['sign-in', 'read', 'write', 'offline', 'admin'] as const;
export type Risk = (typeof RISK_ORDER)[number];
export type RiskOrUnknown = Risk | 'unknown';
