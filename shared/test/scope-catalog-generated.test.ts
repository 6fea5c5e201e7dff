import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeScope, loadCatalog, parseCatalog, SCOPE_CATALOG } from '../src/scopes/catalog.js';
import data from '../src/scopes/catalog.json' with { type: 'json' };
import { buildCatalog, inputSchema, overridesSchema, serialize } from '../src/scopes/generate/build.js';
import { google, microsoft } from '../src/scopes/generate/rules.js';

const INPUT = resolve(import.meta.dirname, '../scopes-input');
const OUTPUT = resolve(import.meta.dirname, '../src/scopes/catalog.json');
const overrides = overridesSchema.parse(JSON.parse(readFileSync(join(INPUT, 'overrides.json'), 'utf8')));
const inputs = readdirSync(INPUT)
  .filter((f) => f.endsWith('.json') && f !== 'overrides.json')
  .sort()
  .map((f) => inputSchema.parse(JSON.parse(readFileSync(join(INPUT, f), 'utf8'))));
const built = buildCatalog(inputs, overrides);

/** The providers issue 13 lists; each must be explained at ≥ 95% of what it publishes. */
const LISTED = ['google', 'microsoft', 'github', 'slack', 'atlassian', 'hubspot', 'linear', 'box', 'asana', 'figma', 'zoom', 'stripe'];

describe('generated scope catalog', () => {
  it('is exactly what `npm run catalog` makes from the committed inputs', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(serialize(built.catalog));
  });

  it('records where every input came from (repository + commit + date, or the documentation page)', () => {
    for (const input of inputs) {
      const source = input.source;
      if ('repository' in source) {
        expect(source.commit, input.provider).toMatch(/^[0-9a-f]{40}$/);
        expect(Number.isNaN(Date.parse(source.date)), input.provider).toBe(false);
      } else {
        expect(source.documentation, input.provider).toMatch(/^https:\/\//);
      }
      expect(input.scopes.length, input.provider).toBeGreaterThan(0);
    }
  });

  it.each(LISTED)('covers at least 95%% of what %s publishes', (provider) => {
    const c = built.coverage.find((x) => x.provider === provider);
    expect(c, provider).toBeDefined();
    if (!c) return;
    expect(c.covered / c.published, `${provider} uncovered: ${c.uncovered.join(' ')}`).toBeGreaterThanOrEqual(0.95);
  });

  it('has at least 1,500 scopes overall', () => {
    expect(SCOPE_CATALOG.scopes.length).toBeGreaterThanOrEqual(1500);
  });

  it('reports a newly published scope as uncovered when no rule or override explains it', () => {
    const input = inputs.find((i) => i.provider === 'hubspot');
    if (!input) throw new Error('hubspot input missing');
    const refreshed = { ...input, scopes: [...input.scopes, { scope: 'NEW_UNEXPLAINED_THING' }] };
    const again = buildCatalog([refreshed], overrides);
    expect(again.coverage[0]?.uncovered).toContain('NEW_UNEXPLAINED_THING');
    expect(again.catalog.scopes.some((e) => e.scope === 'NEW_UNEXPLAINED_THING')).toBe(false);
  });

  it('prefers a hand-written override over the rule', () => {
    const rule = google({ scope: 'https://www.googleapis.com/auth/gmail.send', api: 'Gmail API' });
    expect(rule?.description).toBe('See, change and delete your Gmail data');
    expect(describeScope('https://www.googleapis.com/auth/gmail.send').description).toBe('Send email as you');
  });
});

describe('the fast loader the popup uses', () => {
  it('gives exactly what the zod schema gives', () => {
    expect(loadCatalog(data)).toEqual(parseCatalog(data));
    expect(SCOPE_CATALOG).toEqual(parseCatalog(data));
  });

  const first = data.scopes[0];
  if (!first) throw new Error('empty catalog');
  it.each([
    ['a lower-case description', { ...first, description: 'lower case' }],
    ['a description ending with a period', { ...first, description: 'Ends.' }],
    ['a description over 90 characters', { ...first, description: `A${'a'.repeat(90)}` }],
    ['an unknown provider', { ...first, provider: 'nobody' }],
    ['an unknown risk', { ...first, risk: 'catastrophic' }],
    ['a scope with a space', { ...first, scope: 'a b' }],
    ['a duplicate entry', first],
  ])('refuses %s, like the schema', (_, bad) => {
    const raw = { ...data, scopes: [...data.scopes, bad] };
    expect(() => loadCatalog(raw)).toThrow(TypeError);
    expect(() => parseCatalog(raw)).toThrow();
  });
});

describe('rules in our own words', () => {
  it('reads Google read-only scopes as read, full scopes as see, change and delete', () => {
    expect(google({ scope: 'https://www.googleapis.com/auth/tasks.readonly', api: 'Google Tasks API' })).toEqual({
      service: 'Google Tasks',
      description: 'Read your Google Tasks data',
      risk: 'read',
    });
    expect(google({ scope: 'https://www.googleapis.com/auth/tasks', api: 'Google Tasks API' })?.risk).toBe('write');
    expect(google({ scope: 'https://www.googleapis.com/auth/admin.directory.group', api: 'Admin SDK API' })?.risk).toBe('admin');
  });

  it('makes organization-wide or admin-consent Microsoft writes admin', () => {
    expect(microsoft({ scope: 'Widget.ReadWrite', delegated: true, adminConsent: false })?.risk).toBe('write');
    expect(microsoft({ scope: 'Widget.ReadWrite.All', delegated: true, adminConsent: false })?.risk).toBe('admin');
    expect(microsoft({ scope: 'Widget.ReadWrite', delegated: true, adminConsent: true })?.risk).toBe('admin');
    expect(microsoft({ scope: 'Widget.Read.All', delegated: false, adminConsent: true })?.risk).toBe('admin');
    expect(microsoft({ scope: 'not a permission' })).toBeNull();
  });
});

describe('matching each provider the way it reads scopes', () => {
  it('takes Google short forms', () => {
    expect(describeScope('gmail.readonly')).toMatchObject({ known: true, provider: 'google', risk: 'read' });
    expect(describeScope('drive.file').description).toBe(describeScope('https://www.googleapis.com/auth/drive.file').description);
  });

  it('takes Microsoft qualified, bare and case-folded names', () => {
    expect(describeScope('https://graph.microsoft.com/Mail.Read')).toMatchObject({ known: true, provider: 'microsoft', risk: 'read' });
    expect(describeScope('Mail.Read')).toMatchObject({ known: true, provider: 'microsoft' });
    expect(describeScope('https://graph.microsoft.com/mail.read')).toMatchObject({ known: true, provider: 'microsoft' });
    expect(describeScope('MAIL.READ', 'microsoft')).toMatchObject({ known: true, provider: 'microsoft' });
    // only at Microsoft: a lower-case name elsewhere is not silently taken for a Graph permission
    expect(describeScope('mail.read').known).toBe(false);
  });

  it.each(['.default', 'https://graph.microsoft.com/.default', 'api://11111111-2222-3333-4444-555555555555/.default'])(
    'explains %s as everything pre-approved, at high risk',
    (scope) => {
      const info = describeScope(scope);
      expect(info).toMatchObject({ scope, known: true, provider: 'microsoft', risk: 'admin' });
      expect(info.description).toMatch(/^Everything this app was pre-approved for/);
    },
  );

  it('keeps Slack case-sensitive and tells user from bot scopes apart', () => {
    expect(describeScope('chat:write:user').description).not.toBe(describeScope('chat:write:bot').description);
    expect(describeScope('Channels:Read').known).toBe(false);
  });

  it('knows an Atlassian permission in both its classic and its granular form', () => {
    const classic = describeScope('read:jira-work');
    const granular = describeScope('read:issue:jira');
    expect(classic).toMatchObject({ known: true, provider: 'atlassian', service: 'Jira', risk: 'read' });
    expect(granular).toMatchObject({ known: true, provider: 'atlassian', service: 'Jira', risk: 'read' });
    expect(describeScope('read:comment:jira')).toMatchObject({ known: true, risk: 'read' });
  });

  it('leaves an unknown scope verbatim, flagged unknown', () => {
    expect(describeScope('frobnicate:everything')).toMatchObject({ scope: 'frobnicate:everything', known: false, risk: 'unknown' });
  });
});
