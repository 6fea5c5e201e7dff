import { describe, expect, it } from 'vitest';
import type { AuditEventView } from '#shared/admin-api.js';
import { timelineStep } from '../src/activity/timeline.js';

const row = (type: string, detail: AuditEventView['detail']): AuditEventView => ({
  id: 1,
  ts: 1,
  type,
  person: null,
  agent: 'agt_1',
  resource: null,
  scopes: [],
  grant_id: 'grt_1',
  decision: null,
  outcome: 'ok',
  detail,
  hash: 'h',
});

describe('Activity timeline steps read details through the audit catalog', () => {
  it('names the tool and the reason of a refused call, through the text policy', () => {
    const step = timelineStep(row('tool.refused', { tool: 'add\u202enote', call_id: 'c', reported_by: 'rs', at: 1, reason: 'insufficient_scope' }));
    expect(step).toEqual({ text: 'Refused add⟨U+202E⟩note (insufficient_scope)', kind: 'refused' });
  });
  it('says why a token was refused', () => {
    expect(timelineStep(row('token.refused', { error: 'invalid_grant', reason: 'revoked' })).text).toBe('Token refused (invalid_grant: revoked)');
  });
  it('does not read a field from a detail that does not match its type', () => {
    expect(timelineStep(row('tool.called', { tool: 'list_notes' })).text).toBe('Used a tool');
    expect(timelineStep(row('token.refused', { error: 'invalid_grant' })).text).toBe('Token refused');
  });
});
