import { describe, expect, it } from 'vitest';
import { auditDetailSummary, recordedAuthorizationDetails } from '../src/audit-summary.js';

describe('auditDetailSummary: a row’s detail in brief, read through the catalog', () => {
  it.each([
    [
      'request.created',
      { requested_expiry: 3600, capped_to: 1800, blocked_by_policy: ['mail.send'] },
      'shortened by policy to 30m; blocked by policy: mail.send',
    ],
    ['request.created', { requested_expiry: 3600, capped_to: null, blocked_by_policy: [] }, ''],
    ['token.refused', { error: 'invalid_grant', reason: 'the grant was revoked' }, 'invalid_grant: the grant was revoked'],
    ['grant.approved', { via: 'cli', expires_at: 5, dropped_scopes: ['mail.send'] }, 'via cli; dropped: mail.send'],
    ['grant.approved', { via: 'cli', error: 'invalid_scope', reason: 'blocked' }, 'invalid_scope: blocked'],
    ['grant.denied', { via: 'extension:c1', reason: null }, 'via extension:c1'],
    ['grant.revoked', { via: 'cli', all: true }, 'via cli; revoke all'],
    ['tool.refused', { tool: 'add_note', call_id: 'c', reported_by: 'rs', at: 1, reason: 'insufficient_scope' }, 'add_note; insufficient_scope'],
    ['external.granted', { external_id: 'x', provider: 'google', platform: 'chatgpt', via: 'extension', error: null }, 'chatgpt → google'],
  ])('%s %j → %j', (type, detail, expected) => {
    expect(auditDetailSummary(type, detail)).toBe(expected);
  });

  it.each([
    ['a detail that does not match its type', 'token.refused', { error: 'invalid_grant', reason: 42 }],
    ['an extra field (a newer daemon’s shape)', 'grant.denied', { via: 'cli', reason: null, extra: 'x' }],
    ['a type this version does not know', 'grant.teleported', { reason: 'x' }],
    ['no detail', 'grant.ended', null],
  ])('says nothing for %s', (_, type, detail) => {
    expect(auditDetailSummary(type, detail)).toBe('');
  });
});

describe('recordedAuthorizationDetails', () => {
  const created = { requested_expiry: 60, capped_to: null, blocked_by_policy: [] };
  it('parses the JSON text a request.created row recorded', () => {
    expect(recordedAuthorizationDetails('request.created', { ...created, authorization_details: '[{"type":"payment"}]' })).toEqual([{ type: 'payment' }]);
  });
  it('is undefined for other rows, rows without details, and a detail of the wrong shape', () => {
    expect(recordedAuthorizationDetails('grant.denied', { authorization_details: '[]' })).toBeUndefined();
    expect(recordedAuthorizationDetails('request.created', created)).toBeUndefined();
    expect(recordedAuthorizationDetails('request.created', { authorization_details: '[{"type":"payment"}]' })).toBeUndefined();
  });
});
