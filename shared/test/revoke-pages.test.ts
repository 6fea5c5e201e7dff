import { describe, expect, it } from 'vitest';
import { KNOWN_REVOKE_PAGES, revokePageFor } from '../src/providers/revoke-pages.js';

describe('provider revoke pages', () => {
  it('covers the providers the brief names', () => {
    expect(KNOWN_REVOKE_PAGES.sort()).toEqual(['atlassian', 'dropbox', 'github', 'google', 'microsoft', 'notion', 'salesforce', 'slack']);
  });
  it.each([
    ['accounts.google.com', 'google', 'https://myaccount.google.com/connections'],
    ['github.com', 'github', 'https://github.com/settings/applications'],
    ['login.microsoftonline.com', 'microsoft', 'https://account.microsoft.com/privacy/app-access'],
    ['slack.com', 'slack', 'https://slack.com/apps/manage'],
    ['auth.atlassian.com', 'atlassian', 'https://id.atlassian.com/manage-profile/apps'],
    ['www.dropbox.com', 'dropbox', 'https://www.dropbox.com/account/connected_apps'],
  ])('%s → %s', (host, provider, url) => expect(revokePageFor(host)).toMatchObject({ provider, url }));
  it('says where RFC 7009 revocation exists', () => {
    expect(revokePageFor('accounts.google.com').rfc7009).toBe('https://oauth2.googleapis.com/revoke');
    expect(revokePageFor('github.com').rfc7009).toBeUndefined();
  });
  it('falls back to the provider host for unknown providers', () => {
    expect(revokePageFor('auth.example.org')).toMatchObject({ provider: 'auth.example.org', url: 'https://auth.example.org/' });
  });
});
