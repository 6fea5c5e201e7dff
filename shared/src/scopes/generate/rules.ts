/**
 * Rules that write a catalog entry in Mandate's own words from the structured facts in a
 * provider's published metadata (scope name, API title, consent facts). A rule returns null when
 * it cannot explain a scope with confidence; that scope then counts as uncovered.
 */
import type { Risk } from '../risk.js';

export interface ScopeFact {
  readonly scope: string;
  /** Google: the API's title from its discovery document. */
  readonly api?: string;
  /** Microsoft Graph: whether a signed-in person can grant it, and whether it needs an administrator. */
  readonly delegated?: boolean;
  readonly adminConsent?: boolean;
}

export interface Described {
  readonly service: string;
  readonly description: string;
  readonly risk: Risk;
}

export type Rule = (fact: ScopeFact) => Described | null;

const MAX = 90;

function short(description: string): string | null {
  return description.length <= MAX ? description : null;
}

function described(service: string, description: string | null, risk: Risk): Described | null {
  return description === null ? null : { service, description, risk };
}

/** `access_review` / `accessReview` / `crm-pipelines` → `access review`. */
export function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\b([A-Z][a-z]+)\b/g, (w) => w.toLowerCase());
}

// ---------- Google ----------

const GOOGLE_PREFIX = 'https://www.googleapis.com/auth/';

/** "Gmail API" → "Gmail", "Google Docs API" → "Google Docs", "Cloud Storage JSON API" → "Cloud Storage". */
export function googleService(title: string): string {
  const t = title
    .replace(/\bJSON API\b/, 'API')
    .replace(/\s*\((?:[^)]*)\)\s*/g, ' ')
    .replace(/\s+API(?:\s+v\d+\w*)?$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > 0 && t.length <= 60 ? t : 'Google';
}

const GOOGLE_READ = /(^|\.)(readonly|read|view|viewonly)($|\.)/;

export const google: Rule = (fact) => {
  if (fact.api === undefined) return null;
  const service = googleService(fact.api);
  const { scope } = fact;
  if (!/^https:\/\/[a-z0-9.-]+\//.test(scope) && !/^[a-z]+$/.test(scope)) return null;
  const name = scope.startsWith(GOOGLE_PREFIX) ? scope.slice(GOOGLE_PREFIX.length) : scope;
  if (name === 'cloud-platform' || name === 'cloud-platform.read-only') {
    return name === 'cloud-platform'
      ? described('Google Cloud', 'See, change and delete everything in your Google Cloud projects', 'admin')
      : described('Google Cloud', 'See everything in your Google Cloud projects', 'read');
  }
  const readOnly = GOOGLE_READ.test(name) || name.endsWith('.read-only');
  const admin = /^admin\b|(^|\.)admin($|\.)|\.manage($|\.)|\bmanage_/.test(name);
  if (readOnly)
    return described(service, short(admin ? `See ${service} settings for your organization` : `Read your ${service} data`), admin ? 'read' : 'read');
  if (admin) return described(service, short(`Manage ${service} for your organization`), 'admin');
  return described(service, short(`See, change and delete your ${service} data`), 'write');
};

// ---------- Microsoft Graph ----------

/** Friendly names for the Graph resources people meet in Outlook, Teams, OneDrive and SharePoint. */
const GRAPH_SERVICES: Readonly<Record<string, readonly [string, string]>> = {
  Mail: ['Outlook Mail', 'email'],
  MailboxSettings: ['Outlook Mail', 'mailbox settings'],
  MailboxFolder: ['Outlook Mail', 'mail folders'],
  MailboxItem: ['Outlook Mail', 'mailbox items'],
  Calendars: ['Outlook Calendar', 'calendars'],
  Contacts: ['Outlook Contacts', 'contacts'],
  Files: ['OneDrive', 'files'],
  Sites: ['SharePoint', 'SharePoint sites'],
  Notes: ['OneNote', 'OneNote notebooks'],
  Tasks: ['To Do', 'tasks'],
  Chat: ['Teams', 'Teams chats'],
  ChatMessage: ['Teams', 'Teams chat messages'],
  ChatMember: ['Teams', 'Teams chat members'],
  Channel: ['Teams', 'Teams channels'],
  ChannelMessage: ['Teams', 'Teams channel messages'],
  ChannelMember: ['Teams', 'Teams channel members'],
  ChannelSettings: ['Teams', 'Teams channel settings'],
  Team: ['Teams', 'teams'],
  TeamMember: ['Teams', 'team members'],
  TeamSettings: ['Teams', 'team settings'],
  TeamsTab: ['Teams', 'Teams tabs'],
  TeamsAppInstallation: ['Teams', 'Teams apps'],
  OnlineMeetings: ['Teams', 'online meetings'],
  OnlineMeetingTranscript: ['Teams', 'meeting transcripts'],
  OnlineMeetingRecording: ['Teams', 'meeting recordings'],
  Presence: ['Teams', 'presence'],
  User: ['Directory', 'user profiles'],
  Group: ['Directory', 'groups'],
  Directory: ['Directory', 'directory data'],
};

const GRAPH_VERBS: Readonly<Record<string, readonly [string, Risk]>> = {
  Read: ['Read', 'read'],
  ReadBasic: ['See basic details of', 'read'],
  ReadWrite: ['Read, change and delete', 'write'],
  Write: ['Change', 'write'],
  Send: ['Send', 'write'],
  Create: ['Create', 'write'],
  Manage: ['Manage', 'write'],
  Update: ['Change', 'write'],
  Delete: ['Delete', 'write'],
  Export: ['Export', 'read'],
  Import: ['Import', 'write'],
  Migrate: ['Migrate', 'write'],
  Invite: ['Invite people to', 'write'],
  Restore: ['Restore', 'write'],
  AccessAsUser: ['Use everything in', 'admin'],
  FullControl: ['Fully control', 'admin'],
  Remove: ['Remove', 'write'],
};

/** Operations named by a longer word: the first matching prefix decides (order matters). */
const GRAPH_VERB_PREFIXES: readonly (readonly [string, readonly [string, Risk]])[] = [
  ['ReadWrite', ['Read, change and delete', 'write']],
  ['Read', ['Read', 'read']],
  ['Delete', ['Delete and restore', 'write']],
  ['Enable', ['Turn on and off', 'write']],
  ['Update', ['Change', 'write']],
  ['Manage', ['Manage', 'write']],
  ['Create', ['Create', 'write']],
  ['Add', ['Change credentials of', 'admin']],
  ['Join', ['Join', 'write']],
  ['Initiate', ['Start', 'write']],
  ['Access', ['Use', 'write']],
  ['Edit', ['Edit', 'write']],
  ['Upload', ['Upload', 'write']],
  ['Ingest', ['Upload', 'write']],
  ['Import', ['Import and export', 'write']],
  ['Process', ['Process', 'write']],
  ['Compute', ['Compute', 'read']],
  ['Evaluate', ['Evaluate', 'read']],
  ['Submit', ['Submit', 'write']],
  ['Start', ['Start', 'write']],
  ['Activate', ['Start', 'write']],
  ['Archive', ['Archive', 'write']],
  ['Revoke', ['Revoke', 'admin']],
  ['Command', ['Send commands to', 'admin']],
  ['Selected', ['Use selected', 'write']],
  ['Report', ['Report', 'write']],
  ['Write', ['Change', 'write']],
  ['Migration', ['Migrate', 'write']],
];

/** Graph permission names: `Resource.Operation[.Constraint]`, e.g. `Mail.Read`, `Sites.FullControl.All`. */
const GRAPH_NAME = /^([A-Za-z][A-Za-z0-9-]*)\.([A-Za-z]+)((?:\.[A-Za-z0-9-]+)*)$/;

export const microsoft: Rule = (fact) => {
  const m = GRAPH_NAME.exec(fact.scope);
  if (!m) return null;
  const resource = m[1] ?? '';
  const operation = m[2] ?? '';
  const constraint = (m[3] ?? '').slice(1);
  const [service, object] = GRAPH_SERVICES[resource] ?? ['Microsoft 365', words(resource)];
  const verb = GRAPH_VERBS[operation] ?? GRAPH_VERB_PREFIXES.find(([prefix]) => operation.startsWith(prefix))?.[1];
  if (!verb) return null;
  const [phrase, baseRisk] = verb;
  const everyone = /(^|\.)All$/.test(constraint);
  const shared = /(^|\.)Shared$/.test(constraint);
  const own = fact.delegated !== false;
  let where = 'your';
  let tail = '';
  if (!own) tail = ' across your organization, without you';
  else if (everyone) tail = ' across your organization';
  else if (shared) tail = ', including ones shared with you';
  else if (constraint !== '' && constraint !== 'All') tail = ` (${words(constraint)})`;
  if (!own || everyone) where = 'all';
  // Writes that reach the whole organization, or that need an administrator's consent, are admin.
  let risk: Risk = baseRisk;
  if (baseRisk === 'write' && (everyone || fact.adminConsent === true || !own)) risk = 'admin';
  if (baseRisk === 'read' && !own) risk = 'admin';
  return described(service, short(`${phrase} ${where} ${object}${tail}`) ?? short(`${phrase} ${object}${tail}`) ?? short(`${phrase} ${object}`), risk);
};

// ---------- Slack ----------

const SLACK_NAME = /^([a-z_]+(?:\.[a-z_]+)*)(?::([a-z_.]+))?(?::(user|bot))?$/;

export const slack: Rule = (fact) => {
  const m = SLACK_NAME.exec(fact.scope);
  if (!m) return null;
  const [, resource = '', action, actor] = m;
  const who = actor === 'bot' ? ' as the app' : actor === 'user' ? ' as you' : '';
  if (resource === 'admin' || resource.startsWith('admin.')) {
    const what = resource === 'admin' ? 'your Slack workspace' : `${words(resource.slice('admin.'.length))} across your Slack organization`;
    return described('Slack', short(`${action === 'read' ? 'See' : 'Administer'} ${what}`), 'admin');
  }
  const thing = words(resource);
  switch (action) {
    case 'read':
    case 'history':
      return described('Slack', short(action === 'history' ? `Read messages in your Slack ${thing}` : `See your Slack ${thing}`), 'read');
    case 'write':
    case 'write.public':
    case 'write.customize':
    case 'share':
      return described('Slack', short(`Create and change Slack ${thing}${who}`), 'write');
    case 'stream':
      return described('Slack', short(`Receive your Slack ${thing} events live`), 'read');
    default:
      return null;
  }
};

// ---------- `thing:read` / `thing.read` style providers ----------

function colonRule(providerName: string, service: string): Rule {
  return (fact) => {
    const m = /^([a-z_]+(?:\.[a-z_]+)*)[:.]([a-z_]*?)_?(read|write|delete)$/.exec(fact.scope);
    if (!m) return null;
    const thing = words(`${m[1] ?? ''} ${m[2] ?? ''}`);
    if (m[3] === 'read') return described(service, short(`Read your ${providerName} ${thing}`), 'read');
    if (m[2] === 'write') return described(service, short(`Create and change your ${providerName} ${thing}`), 'write');
    return described(service, short(`Delete your ${providerName} ${thing}`), 'write');
  };
}

export const figma: Rule = colonRule('Figma', 'Figma');
export const asana: Rule = colonRule('Asana', 'Asana');

// ---------- HubSpot ----------

export const hubspot: Rule = (fact) => {
  const { scope } = fact;
  if (!/^[a-z][a-z0-9_.-]*$/.test(scope)) return null;
  const parts = scope.split(/[.-]/);
  const sensitive = parts.some((p) => p === 'sensitive' || p === 'highly_sensitive');
  const kept = parts.filter((p) => !['crm', 'objects', 'v2', 'sensitive', 'highly_sensitive', 'read', 'write', 'read_write', 'delete', 'access'].includes(p));
  const thing = words(kept.join(' ')) || 'data';
  const level = sensitive ? 'sensitive ' : '';
  const has = (p: string) => parts.includes(p);
  if (has('read_write') || (has('read') && has('write')))
    return described('HubSpot', short(`Read and change ${level}HubSpot ${thing}`), sensitive ? 'admin' : 'write');
  if (has('write') || has('delete') || has('send') || has('create') || has('import'))
    return described('HubSpot', short(`Change ${level}HubSpot ${thing}`), sensitive ? 'admin' : 'write');
  if (has('read') || has('export') || has('view')) return described('HubSpot', short(`Read ${level}HubSpot ${thing}`), sensitive ? 'write' : 'read');
  return described('HubSpot', short(`Use HubSpot ${thing}`), 'write');
};

// ---------- Atlassian granular scopes (`read:issue:jira`) ----------

const ATLASSIAN_PRODUCTS: Readonly<Record<string, string>> = {
  jira: 'Jira',
  confluence: 'Confluence',
  'jira-service-management': 'Jira Service Management',
  compass: 'Compass',
  bitbucket: 'Bitbucket',
};

export const atlassian: Rule = (fact) => {
  const m = /^(read|write|delete|manage):([a-z0-9.-]+):([a-z-]+)$/.exec(fact.scope);
  const product = m ? ATLASSIAN_PRODUCTS[m[3] ?? ''] : undefined;
  if (!m || product === undefined) return null;
  const thing = words(m[2] ?? '');
  switch (m[1]) {
    case 'read':
      return described(product, short(`Read ${product} ${thing} details`), 'read');
    case 'write':
      return described(product, short(`Create and change ${product} ${thing} details`), 'write');
    case 'delete':
      return described(product, short(`Delete ${product} ${thing} details`), 'write');
    default:
      return described(product, short(`Manage ${product} ${thing} settings`), 'admin');
  }
};

/** Providers whose published scopes follow a pattern a rule can explain; the rest rely on overrides. */
export const RULES: Readonly<Record<string, Rule>> = { google, microsoft, slack, figma, asana, hubspot, atlassian };
