import { describe, expect, it } from 'vitest';
import {
  MAX_DESCRIPTION_LENGTH,
  RISK_ORDER,
  SCOPE_CATALOG,
  describeScope,
  describeScopes,
  highestRisk,
  isSignInOnly,
  parseCatalog,
  providerForHost,
  type RiskOrUnknown,
  type ScopeInfo,
} from '../src/scopes/catalog.js';
import data from '../src/scopes/catalog.json' with { type: 'json' };

const REQUIRED_PROVIDERS = ['oidc', 'google', 'github', 'microsoft', 'slack', 'atlassian', 'salesforce', 'notion', 'dropbox', 'mcp'];
/** Notion's public integrations use capabilities chosen in its integration settings, not OAuth scopes. */
const PROVIDERS_WITHOUT_SCOPES = new Set(['notion']);
const G = 'https://www.googleapis.com/auth/';

function info(risk: RiskOrUnknown): ScopeInfo {
  return { scope: 'x', known: risk !== 'unknown', provider: null, providerName: null, service: null, description: 'X', risk };
}

describe('scope catalog data', () => {
  const entries = SCOPE_CATALOG.scopes;

  it('has at least 150 scopes', () => {
    expect(entries.length).toBeGreaterThanOrEqual(150);
  });

  it('is exactly the JSON file, validated', () => {
    expect(entries).toEqual(data.scopes);
  });

  it('lists every required provider with a name, and hosts where people give consent', () => {
    for (const id of REQUIRED_PROVIDERS) {
      const provider = SCOPE_CATALOG.providers.get(id);
      expect(provider, id).toBeDefined();
      expect(provider?.name.length, id).toBeGreaterThan(0);
      if (id === 'oidc' || id === 'mcp') expect(provider?.hosts, id).toEqual([]);
      else expect(provider?.hosts.length, id).toBeGreaterThan(0);
    }
  });

  it('has entries for every provider except those without scopes', () => {
    const used = new Set(entries.map((e) => e.provider));
    for (const id of SCOPE_CATALOG.providers.keys()) {
      expect(used.has(id), id).toBe(!PROVIDERS_WITHOUT_SCOPES.has(id));
    }
  });

  it.each(entries.map((e) => [`${e.provider} ${e.scope}`, e] as const))('%s is complete and readable', (_, e) => {
    expect(e.scope.trim()).toBe(e.scope);
    expect(e.scope.length).toBeGreaterThan(0);
    expect(e.service.trim().length).toBeGreaterThan(0);
    expect(SCOPE_CATALOG.providers.has(e.provider)).toBe(true);
    expect(RISK_ORDER).toContain(e.risk);
    expect(e.description).toMatch(/^\p{Lu}/u);
    expect(e.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    expect(e.description).not.toMatch(/[.\s]$/);
  });

  it('has no duplicate (scope, provider) pairs', () => {
    const pairs = entries.map((e) => `${e.provider} ${e.scope}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('shares a scope string only across different providers, with different wording', () => {
    const byScope = new Map<string, (typeof entries)[number][]>();
    for (const e of entries) byScope.set(e.scope, [...(byScope.get(e.scope) ?? []), e]);
    for (const [scope, list] of byScope) {
      if (list.length < 2) continue;
      expect(new Set(list.map((e) => e.provider)).size, scope).toBe(list.length);
      expect(new Set(list.map((e) => e.description)).size, scope).toBe(list.length);
    }
  });

  it('never gives a host to two providers', () => {
    const hosts = [...SCOPE_CATALOG.providers.values()].flatMap((p) => p.hosts);
    expect(new Set(hosts).size).toBe(hosts.length);
  });

  it.each([
    ['oidc', ['openid', 'profile', 'email', 'address', 'phone', 'offline_access']],
    [
      'google',
      [
        `${G}gmail.readonly`,
        `${G}gmail.send`,
        `${G}drive`,
        `${G}calendar`,
        `${G}contacts.readonly`,
        `${G}cloud-platform`,
        `${G}youtube.readonly`,
        `${G}documents`,
        `${G}spreadsheets`,
        `${G}userinfo.email`,
        `${G}userinfo.profile`,
      ],
    ],
    [
      'github',
      [
        'repo',
        'repo:status',
        'public_repo',
        'read:org',
        'admin:org',
        'workflow',
        'gist',
        'notifications',
        'user',
        'read:user',
        'user:email',
        'delete_repo',
        'write:packages',
        'admin:repo_hook',
      ],
    ],
    [
      'microsoft',
      [
        'User.Read',
        'Mail.Read',
        'Mail.ReadWrite',
        'Mail.Send',
        'Calendars.ReadWrite',
        'Files.Read.All',
        'Files.ReadWrite.All',
        'Sites.Read.All',
        'Chat.ReadWrite',
        'Directory.ReadWrite.All',
      ],
    ],
    ['slack', ['channels:read', 'channels:history', 'chat:write', 'users:read', 'users:read.email', 'files:write', 'im:history', 'admin']],
    ['atlassian', ['read:jira-work', 'write:jira-work', 'manage:jira-project', 'read:confluence-content.all', 'write:confluence-content']],
    ['salesforce', ['api', 'refresh_token', 'full', 'web', 'chatter_api']],
    ['dropbox', ['account_info.read', 'files.metadata.read', 'files.content.read', 'files.content.write', 'sharing.write', 'file_requests.write']],
    ['mcp', ['mcp:tools', 'mcp:resources', 'mcp:prompts', 'tools:read', 'tools:execute', 'resources:read', 'resources:write']],
  ] as const)('covers the %s scopes people meet most', (provider, scopes) => {
    for (const scope of scopes) {
      expect(
        entries.some((e) => e.provider === provider && e.scope === scope),
        `${provider} ${scope}`,
      ).toBe(true);
    }
  });

  it('keeps offline_access and openid only in the standard provider', () => {
    for (const scope of ['offline_access', 'openid']) {
      expect(entries.filter((e) => e.scope === scope).map((e) => e.provider)).toEqual(['oidc']);
    }
  });

  it.each([
    ['openid', 'sign-in'],
    ['email', 'sign-in'],
    ['offline_access', 'offline'],
    ['refresh_token', 'offline'],
    [`${G}gmail.readonly`, 'read'],
    [`${G}gmail.send`, 'write'],
    [`${G}cloud-platform`, 'admin'],
    ['admin:org', 'admin'],
    ['Directory.ReadWrite.All', 'admin'],
    ['full', 'admin'],
    ['admin', 'admin'],
    ['files.content.write', 'write'],
  ] as const)('rates %s as %s', (scope, risk) => {
    expect(describeScope(scope).risk).toBe(risk);
  });
});

describe('parseCatalog', () => {
  const good = {
    providers: { acme: { name: 'Acme', hosts: ['login.acme.test'] } },
    scopes: [{ scope: 'a:read', provider: 'acme', service: 'Acme', description: 'Read your things', risk: 'read' }],
  };

  it('accepts well-formed data', () => {
    const catalog = parseCatalog(good);
    expect(catalog.scopes).toHaveLength(1);
    expect(catalog.providers.get('acme')?.hosts).toEqual(['login.acme.test']);
  });

  it.each([
    ['an unknown provider', { ...good, scopes: [{ ...good.scopes[0], provider: 'other' }] }],
    ['a duplicate pair', { ...good, scopes: [good.scopes[0], good.scopes[0]] }],
    ['a bad risk', { ...good, scopes: [{ ...good.scopes[0], risk: 'scary' }] }],
    ['a trailing period', { ...good, scopes: [{ ...good.scopes[0], description: 'Read your things.' }] }],
    ['a lowercase start', { ...good, scopes: [{ ...good.scopes[0], description: 'read your things' }] }],
    ['a long description', { ...good, scopes: [{ ...good.scopes[0], description: `R${'e'.repeat(90)}` }] }],
    ['an empty service', { ...good, scopes: [{ ...good.scopes[0], service: '' }] }],
    ['an extra field', { ...good, scopes: [{ ...good.scopes[0], extra: 1 }] }],
    ['a scope with a space', { ...good, scopes: [{ ...good.scopes[0], scope: 'a read' }] }],
    ['a host given twice', { ...good, providers: { ...good.providers, other: { name: 'Other', hosts: ['login.acme.test'] } } }],
    ['an uppercase host', { ...good, providers: { acme: { name: 'Acme', hosts: ['Login.Acme.test'] } } }],
    ['no providers key', { scopes: [] }],
    ['not an object', 'catalog'],
  ])('rejects %s', (_, raw) => {
    expect(() => parseCatalog(raw)).toThrow();
  });
});

describe('describeScope', () => {
  it('describes a known scope in plain words', () => {
    expect(describeScope(`${G}gmail.send`)).toEqual({
      scope: `${G}gmail.send`,
      known: true,
      provider: 'google',
      providerName: 'Google',
      service: 'Gmail',
      description: 'Send email as you',
      risk: 'write',
    });
  });

  it('matches exactly: case, whitespace and near misses are unknown', () => {
    expect(describeScope('repo').known).toBe(true);
    for (const s of ['REPO', ' repo', 'repo ', 'repo:', 'user.read', 'https://www.googleapis.com/auth/gmail']) {
      expect(describeScope(s).known, s).toBe(false);
    }
  });

  it('accepts the fully qualified Microsoft Graph form, keeping the scope verbatim', () => {
    const result = describeScope('https://graph.microsoft.com/Mail.Send');
    expect(result).toMatchObject({ scope: 'https://graph.microsoft.com/Mail.Send', known: true, provider: 'microsoft', risk: 'write' });
    expect(describeScope('https://graph.microsoft.com/Nope.Read').known).toBe(false);
    expect(describeScope('https://graph.microsoft.com/repo').known).toBe(false);
  });

  it('prefers the hinted provider, then the standard one, for shared scope strings', () => {
    expect(describeScope('files:read').provider).toBe('slack');
    expect(describeScope('files:read', 'mcp').provider).toBe('mcp');
    expect(describeScope('files:read', 'slack').provider).toBe('slack');
    expect(describeScope('files:read', 'github').provider).toBe('slack');
    expect(describeScope('email').provider).toBe('oidc');
    expect(describeScope('email', 'google').provider).toBe('oidc');
  });

  it('ignores a hint for a scope only one provider defines', () => {
    expect(describeScope('repo', 'slack').provider).toBe('github');
  });

  it('describes unknown scopes without guessing', () => {
    expect(describeScope('widgets:frobnicate')).toEqual({
      scope: 'widgets:frobnicate',
      known: false,
      provider: null,
      providerName: null,
      service: null,
      description: 'Unrecognised permission "widgets:frobnicate"',
      risk: 'unknown',
    });
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'])(
    'treats %s as unknown rather than an Object prototype key',
    (scope) => {
      const result = describeScope(scope, scope);
      expect(result.known).toBe(false);
      expect(result.risk).toBe('unknown');
      expect(result.description).toBe(`Unrecognised permission "${scope}"`);
    },
  );

  it('copes with an empty scope', () => {
    expect(describeScope('')).toMatchObject({ scope: '', known: false, risk: 'unknown', description: 'Unrecognised permission ""' });
    expect(describeScope('', '')).toMatchObject({ known: false });
  });

  it('truncates a 10 000-character scope in the description but keeps it verbatim', () => {
    const huge = 'a'.repeat(10_000);
    const result = describeScope(huge);
    expect(result.scope).toBe(huge);
    expect(result.known).toBe(false);
    expect(result.description).toBe(`Unrecognised permission "${'a'.repeat(80)}…"`);
  });

  it('does not truncate a scope of exactly 80 characters', () => {
    const s = 'b'.repeat(80);
    expect(describeScope(s).description).toBe(`Unrecognised permission "${s}"`);
  });

  it('never splits a surrogate pair when truncating', () => {
    const s = `${'c'.repeat(79)}😀${'d'.repeat(20)}`;
    expect(describeScope(s).description).toBe(`Unrecognised permission "${'c'.repeat(79)}…"`);
  });

  it('shows control and bidi-override characters as visible markers in the description', () => {
    const result = describeScope('evil\u202Eetirw\u0000\n');
    expect(result.scope).toBe('evil\u202Eetirw\u0000\n');
    expect(result.description).toBe('Unrecognised permission "evil⟨U+202E⟩etirw⟨U+0000⟩⟨U+000A⟩"');
  });

  it('looks up quickly, even for many hostile inputs', () => {
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) describeScope(i % 2 ? `${G}drive` : `x${i}`);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('describeScopes', () => {
  it('describes each scope in order, duplicates included', () => {
    const result = describeScopes(['openid', 'Mail.Read', 'nope', 'openid']);
    expect(result.map((r) => r.scope)).toEqual(['openid', 'Mail.Read', 'nope', 'openid']);
    expect(result.map((r) => r.risk)).toEqual(['sign-in', 'read', 'unknown', 'sign-in']);
  });

  it('passes the provider hint on', () => {
    expect(describeScopes(['files:read', 'files:write'], 'mcp').map((r) => r.provider)).toEqual(['mcp', 'mcp']);
  });

  it('returns an empty list for no scopes', () => {
    expect(describeScopes([])).toEqual([]);
  });
});

describe('highestRisk', () => {
  it('orders admin > unknown > offline > write > read > sign-in', () => {
    const ladder: RiskOrUnknown[] = ['sign-in', 'read', 'write', 'offline', 'unknown', 'admin'];
    for (let i = 0; i < ladder.length; i++) {
      for (let j = 0; j <= i; j++) {
        const [lower, upper] = [ladder[j] ?? 'sign-in', ladder[i] ?? 'sign-in'];
        expect(highestRisk([info(lower), info(upper)]), `${lower} vs ${upper}`).toBe(upper);
        expect(highestRisk([info(upper), info(lower)]), `${upper} vs ${lower}`).toBe(upper);
      }
    }
  });

  it('summarises real requests', () => {
    expect(highestRisk(describeScopes(['openid', 'email', 'profile']))).toBe('sign-in');
    expect(highestRisk(describeScopes(['openid', `${G}drive.readonly`]))).toBe('read');
    expect(highestRisk(describeScopes(['openid', 'offline_access', 'Mail.Send']))).toBe('offline');
    expect(highestRisk(describeScopes(['repo', 'made:up']))).toBe('unknown');
    expect(highestRisk(describeScopes(['made:up', 'admin:org']))).toBe('admin');
  });

  it('treats an empty request as sign-in', () => {
    expect(highestRisk([])).toBe('sign-in');
  });
});

describe('providerForHost', () => {
  it.each([
    ['accounts.google.com', 'google'],
    ['oauth2.googleapis.com', 'google'],
    ['github.com', 'github'],
    ['GitHub.COM', 'github'],
    ['github.com.', 'github'],
    ['login.microsoftonline.com', 'microsoft'],
    ['slack.com', 'slack'],
    ['acme.slack.com', 'slack'],
    ['auth.atlassian.com', 'atlassian'],
    ['login.salesforce.com', 'salesforce'],
    ['acme.my.salesforce.com', 'salesforce'],
    ['api.notion.com', 'notion'],
    ['www.dropbox.com', 'dropbox'],
  ])('maps %s to %s', (host, provider) => {
    expect(providerForHost(host)).toBe(provider);
  });

  it.each([
    '',
    'evilgithub.com',
    'github.com.evil.test',
    'github.co',
    'google.com',
    'microsoftonline.com',
    'atlassian.com',
    'com',
    '.github.com',
    'a..github.com',
    'github.com:443',
    'https://github.com',
    'github.com/login',
    'user@github.com',
    'slac\u212A.com',
    '__proto__',
    'constructor',
    `${'a.'.repeat(200)}github.com`,
    'x'.repeat(10_000),
  ])('does not map %j', (host) => {
    expect(providerForHost(host)).toBeNull();
  });
});

describe('isSignInOnly', () => {
  it.each([
    [['openid'], true],
    [['openid', 'email', 'profile'], true],
    [['openid', `${G}userinfo.email`, `${G}userinfo.profile`], true],
    [['read:user', 'user:email'], true],
    [['User.Read', 'openid'], true],
    [['openid', 'offline_access'], false],
    [['openid', 'phone'], false],
    [['openid', 'made:up'], false],
    [['openid', `${G}gmail.readonly`], false],
    [['__proto__'], false],
    [[''], false],
    [[], false],
  ] as const)('%j → %s', (scopes, expected) => {
    expect(isSignInOnly(scopes)).toBe(expected);
  });
});
