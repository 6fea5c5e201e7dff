import { describe, expect, it } from 'vitest';
import { unknownScopes } from '../src/scopes/unknown.js';

describe('unknown scopes seen', () => {
  it('lists only scopes the catalog cannot explain, verbatim, counted once per request', () => {
    const list = unknownScopes([
      { ts: 10, scopes: ['openid', 'acme:launch', 'acme:launch'] },
      { ts: 20, scopes: ['Mail.Read', 'acme:launch', 'weird\u202escope'] },
      { ts: 5, scopes: ['https://www.googleapis.com/auth/gmail.readonly'] },
    ]);
    expect(list).toEqual([
      { scope: 'acme:launch', count: 2, lastSeen: 20 },
      { scope: 'weird\u202escope', count: 1, lastSeen: 20 },
    ]);
  });

  it('is empty when everything is known', () => {
    expect(unknownScopes([{ ts: 1, scopes: ['openid', 'repo'] }])).toEqual([]);
  });
});
