import { describe, expect, it } from 'vitest';
import type { GrantView } from '../../shared/src/admin-api.js';
import { requestSummary } from '../src/lib/summary.js';
import { hostOf } from '../src/lib/url.js';
import { countdown } from '../src/ui/time.js';

describe('request summary for notifications', () => {
  it('says who wants how much, where, for how long', () => {
    const g = { agent: { client_id: 'agt_1', name: 'Mail helper' }, requested_scope: ['a', 'b'], resource: 'https://gmail.googleapis.com/', requested_duration: 7200 } as GrantView;
    expect(requestSummary(g)).toBe('Mail helper wants 2 permissions on gmail.googleapis.com for 2 hours');
    expect(requestSummary({ ...g, requested_scope: ['a'], resource: 'urn:x:y', requested_duration: 900 })).toBe('Mail helper wants 1 permission on urn:x:y for 15 minutes');
  });
});

describe('countdown', () => {
  it.each([
    [0, 'expired'],
    [-5, 'expired'],
    [59, '0:59'],
    [900, '15:00'],
    [3599, '59:59'],
    [3600, '1h'],
    [7260, '2h 1m'],
  ])('%d s → %s', (s, text) => expect(countdown(s)).toBe(text));
});

describe('hostOf', () => {
  it.each([
    ['https://gmail.googleapis.com/v1', undefined, 'gmail.googleapis.com'],
    ['http://127.0.0.1:7457/x', undefined, '127.0.0.1:7457'],
    ['urn:example:api', undefined, 'urn:example:api'],
    ['not a url', '', ''],
    ['urn:x', 'unknown', 'unknown'],
  ])('%s (fallback %j) → %s', (url, fallback, host) => expect(hostOf(url, fallback)).toBe(host));
});
