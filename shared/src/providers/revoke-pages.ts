/**
 * Where a person removes a third-party app's access at each provider (flow D: external grants end in
 * Mandate, but the tokens live at the provider). Maintained table; checked 2026-11. Sources are the
 * providers' own help pages named beside each entry.
 */
import { providerForHost } from '../scopes/catalog.js';

export interface RevokePage {
  provider: string;
  name: string;
  /** The page listing connected apps, where the person presses the provider's own Remove/Revoke. */
  url: string;
  /** What to click there, in the provider's words. */
  steps: string;
  /** The provider's RFC 7009 revocation endpoint, when it publishes one (an app holding the token could call it). */
  rfc7009?: string;
}

const PAGES: Record<string, Omit<RevokePage, 'provider'>> = {
  // Google Account help, "Manage connections between your Google Account and third parties"
  google: {
    name: 'Google',
    url: 'https://myaccount.google.com/connections',
    steps: 'Third-party apps & services → pick the app → See details → Delete all connections',
    rfc7009: 'https://oauth2.googleapis.com/revoke',
  },
  // GitHub Docs, "Reviewing your authorized applications (OAuth)"
  github: {
    name: 'GitHub',
    url: 'https://github.com/settings/applications',
    steps: 'Authorized OAuth Apps (or Authorized GitHub Apps) → the app → Revoke',
  },
  // Microsoft account privacy, "Apps and services that can access your data"; work accounts use My Apps
  microsoft: {
    name: 'Microsoft',
    url: 'https://account.microsoft.com/privacy/app-access',
    steps: 'Apps and services that can access your data → the app → Remove these permissions (work or school accounts: myapps.microsoft.com)',
  },
  // Slack Help Center, "Manage apps in your workspace"
  slack: {
    name: 'Slack',
    url: 'https://slack.com/apps/manage',
    steps: 'Installed apps → the app → Remove App (or, for your own authorisation, Revoke)',
  },
  // Atlassian Support, "Manage your connected apps" (each user's own connected-apps screen)
  atlassian: {
    name: 'Atlassian',
    url: 'https://id.atlassian.com/manage-profile/apps',
    steps: 'Connected apps → the app → Remove access',
  },
  // Salesforce Help, "Manage OAuth-Enabled Connected Apps Access to Your Data"
  salesforce: {
    name: 'Salesforce',
    url: 'https://login.salesforce.com/',
    steps: 'Settings → Personal Information → Advanced User Details → OAuth Connected Apps → Revoke',
    rfc7009: 'https://login.salesforce.com/services/oauth2/revoke',
  },
  // Notion Help Center, "Add & manage connections with the API" (no deep link into workspace settings)
  notion: {
    name: 'Notion',
    url: 'https://www.notion.so/',
    steps: 'Settings & members → My connections → the connection → Disconnect',
  },
  // Dropbox Help Center, "How to unlink third-party apps from your Dropbox account"
  dropbox: {
    name: 'Dropbox',
    url: 'https://www.dropbox.com/account/connected_apps',
    steps: 'Connected apps → the app → Disconnect',
  },
};

/** The provider's revoke page, or its host's root with a generic instruction when the provider is unknown. */
export function revokePageFor(providerHost: string): RevokePage {
  const provider = providerForHost(providerHost);
  const known = provider ? PAGES[provider] : undefined;
  if (provider && known) return { provider, ...known };
  return {
    provider: providerHost,
    name: providerHost,
    url: `https://${providerHost}/`,
    steps: 'Look for “Connected apps”, “Authorized apps” or “Third-party access” in your account settings and remove the app',
  };
}

export const KNOWN_REVOKE_PAGES = Object.keys(PAGES);
