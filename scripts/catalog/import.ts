/**
 * Refreshes the committed provider inputs (shared/scopes-input/*.json) from local mirrors of the
 * providers' public repositories. Only facts are kept: scope name, API title, access facts.
 * Provider descriptions are never copied.
 *
 *   MIRRORS=/work/.mirror node --conditions=mandate-source --import tsx scripts/catalog/import.ts
 *
 * Each mirror is a bare git directory `<MIRRORS>/<owner>+<name>/repo`; the commit used is pinned
 * below so a refresh is deliberate (change the commit, run, review the diff, run `npm run catalog`).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const MIRRORS = process.env.MIRRORS ?? '/work/.mirror';
const OUT = resolve(import.meta.dirname, '../../shared/scopes-input');

interface Source {
  repository: string;
  commit: string;
  paths: string[];
}

function git(repository: string, ...args: string[]): string {
  const dir = join(MIRRORS, repository.replace('/', '+'), 'repo');
  return execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
}

function commitDate(repository: string, commit: string): string {
  return git(repository, 'log', '-1', '--format=%cI', commit).trim();
}

function write(provider: string, source: Source, scopes: readonly Record<string, unknown>[]): void {
  const sorted = [...scopes].sort((a, b) => String(a.scope).localeCompare(String(b.scope), 'en'));
  const body = {
    provider,
    source: { ...source, date: commitDate(source.repository, source.commit) },
    scopes: sorted,
  };
  const lines = [
    '{',
    `  "provider": ${JSON.stringify(body.provider)},`,
    `  "source": ${JSON.stringify(body.source)},`,
    '  "scopes": [',
    sorted.map((s) => `    ${JSON.stringify(s)}`).join(',\n'),
    '  ]',
    '}',
    '',
  ];
  writeFileSync(join(OUT, `${provider}.json`), lines.join('\n'));
  console.log(`${provider}: ${sorted.length} scopes`);
}

/** The scope names under `scopes:` of an OpenAPI YAML security scheme (no YAML parser needed). */
function yamlScopes(text: string): string[] {
  const names = new Set<string>();
  const lines = text.split('\n');
  // only the security schemes, not schema properties that happen to be called `scopes`
  const start = lines.findIndex((l) => /^\s*securitySchemes:\s*$/.test(l));
  const top = start < 0 ? -1 : (lines[start] ?? '').search(/\S/);
  for (let i = Math.max(start, 0); i < lines.length; i++) {
    const current = lines[i] ?? '';
    if (i > start && current.trim() !== '' && current.search(/\S/) <= top) break;
    const m = /^(\s*)scopes:\s*$/.exec(lines[i] ?? '');
    if (!m) continue;
    const indent = (m[1] ?? '').length;
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j] ?? '';
      const lead = line.length - line.trimStart().length;
      if (line.trim() === '') continue;
      if (lead <= indent) break;
      const key = /^\s*([A-Za-z0-9_.:\-/]+):(\s|$)/.exec(line);
      if (key && lead === indent + 2) names.add(key[1] ?? '');
    }
  }
  names.delete('');
  return [...names];
}

function google(): void {
  const source: Source = {
    repository: 'max-ostapenko/discovery-artifact-manager',
    commit: 'efb4960aa7f1a1d9332339d34786b0e5745f070b',
    paths: ['discoveries/*.json'],
  };
  const files = git(source.repository, 'ls-tree', '--name-only', source.commit, 'discoveries/')
    .split('\n')
    .filter((f) => f.endsWith('.json') && !f.endsWith('index.json'));
  const byScope = new Map<string, string>();
  for (const file of files.sort()) {
    let doc: { title?: string; name?: string; auth?: { oauth2?: { scopes?: Record<string, unknown> } } };
    try {
      doc = JSON.parse(git(source.repository, 'show', `${source.commit}:${file}`));
    } catch {
      // the mirror leaves out its largest blobs (compute.alpha and similar); their scopes recur elsewhere
      continue;
    }
    const title = (doc.title ?? doc.name ?? file).replace(/\s+/g, ' ').trim();
    for (const scope of Object.keys(doc.auth?.oauth2?.scopes ?? {})) {
      // first (alphabetical by file) API title wins; the same scope is often shared across versions
      if (!byScope.has(scope)) byScope.set(scope, title);
    }
  }
  write(
    'google',
    source,
    [...byScope].map(([scope, api]) => ({ scope, api })),
  );
}

function microsoft(): void {
  const source: Source = {
    repository: 'microsoftgraph/microsoft-graph-devx-content',
    commit: '6cbd6bbd665a877560fdefbad74f3bdb5b57af88',
    paths: ['permissions/new/permissions.json'],
  };
  const doc = JSON.parse(git(source.repository, 'show', `${source.commit}:permissions/new/permissions.json`)) as {
    permissions: Record<string, { schemes?: Record<string, { requiresAdminConsent?: boolean; privilegeLevel?: number }> }>;
  };
  const scopes = Object.entries(doc.permissions).map(([scope, p]) => {
    const s = p.schemes ?? {};
    const delegated = s.DelegatedWork ?? s.DelegatedPersonal;
    return {
      scope,
      delegated: delegated !== undefined,
      personal: s.DelegatedPersonal !== undefined,
      adminConsent: delegated?.requiresAdminConsent ?? true,
      privilege: delegated?.privilegeLevel ?? s.Application?.privilegeLevel ?? null,
    };
  });
  write('microsoft', source, scopes);
}

function openapiJsonScopes(provider: string, source: Source, file: string, pick: (doc: Record<string, unknown>) => Record<string, unknown>): void {
  const doc = JSON.parse(git(source.repository, 'show', `${source.commit}:${file}`)) as Record<string, unknown>;
  write(
    provider,
    source,
    Object.keys(pick(doc)).map((scope) => ({ scope })),
  );
}

function slack(): void {
  const source: Source = {
    repository: 'slackapi/slack-api-specs',
    commit: 'bc08db49625630e3585bf2f1322128ea04f2a7f3',
    paths: ['web-api/slack_web_openapi_v2_without_examples.json'],
  };
  const path = source.paths[0] ?? '';
  openapiJsonScopes('slack', source, path, (doc) => {
    const defs = doc.securityDefinitions as { slackAuth: { scopes: Record<string, unknown> } };
    const scopes = { ...defs.slackAuth.scopes };
    delete scopes.none;
    return scopes;
  });
}

function box(): void {
  const source: Source = { repository: 'box/box-openapi', commit: 'c9a878a9824344129881392e2b08f7117201e82e', paths: ['openapi.json'] };
  openapiJsonScopes('box', source, 'openapi.json', (doc) => {
    const c = doc.components as { securitySchemes: { OAuth2Security: { flows: { authorizationCode: { scopes: Record<string, unknown> } } } } };
    return c.securitySchemes.OAuth2Security.flows.authorizationCode.scopes;
  });
}

function yamlProvider(provider: string, source: Source): void {
  const names = new Set<string>();
  for (const path of source.paths) for (const s of yamlScopes(git(source.repository, 'show', `${source.commit}:${path}`))) names.add(s);
  write(
    provider,
    source,
    [...names].map((scope) => ({ scope })),
  );
}

function hubspot(): void {
  const source: Source = {
    repository: 'HubSpot/HubSpot-public-api-spec-collection',
    commit: '99893791383254f52aa07662baeb98aad65cc710',
    paths: ['PublicApiSpecs/**/*.json'],
  };
  const files = git(source.repository, 'ls-tree', '-r', '--name-only', source.commit, 'PublicApiSpecs/')
    .split('\n')
    .filter((f) => f.endsWith('.json') && !f.includes('Collection'));
  const names = new Set<string>();
  for (const file of files) {
    let doc: { components?: { securitySchemes?: Record<string, { flows?: Record<string, { scopes?: Record<string, unknown> }> }> } };
    try {
      doc = JSON.parse(git(source.repository, 'show', `${source.commit}:${file}`));
    } catch {
      continue;
    }
    for (const scheme of Object.values(doc.components?.securitySchemes ?? {})) {
      for (const flow of Object.values(scheme.flows ?? {})) for (const s of Object.keys(flow.scopes ?? {})) names.add(s);
    }
  }
  write(
    'hubspot',
    source,
    [...names].map((scope) => ({ scope })),
  );
}

const only = process.argv.slice(2);
const all: Record<string, () => void> = {
  google,
  microsoft,
  slack,
  box,
  hubspot,
  figma: () =>
    yamlProvider('figma', { repository: 'figma/rest-api-spec', commit: 'af94bebd8a00bdf5cd24a4a4dc65d9e7ee95e6ec', paths: ['openapi/openapi.yaml'] }),
  asana: () => yamlProvider('asana', { repository: 'Asana/openapi', commit: 'fc9f8dcf224efa8e06bfc955d91dd95aac7a398d', paths: ['defs/asana_oas.yaml'] }),
};
for (const [name, run] of Object.entries(all)) if (only.length === 0 || only.includes(name)) run();
