import { describe, expect, it } from 'vitest';
import { daemonEvent } from '#shared/admin-api.js';
import { type SseFrame, sseParser } from '#shared/sse.js';
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS_TOKEN } from '#shared/oauth.js';
import { pairExtension } from './extension-client.js';
import { MAIL, auth, startTestDaemon } from './harness.js';

describe('hardening found in review', () => {
  it('ends the event stream of a credential when that credential is revoked', async () => {
    const d = await startTestDaemon();
    const paired = await pairExtension(d);
    const stream = await paired.request('GET', '/events');
    expect(stream.status).toBe(200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain('event: ready');
    expect((await d.admin('DELETE', `/credentials/${paired.credential_id}`)).status).toBe(200);
    const frames: SseFrame[] = [];
    const parser = sseParser((f) => frames.push(f));
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
    // it ended by itself; nothing about later changes can reach a revoked credential
    expect(frames.every((f) => daemonEvent.safeParse(JSON.parse(f.data)).success)).toBe(true);
    expect((await paired.request('GET', '/requests')).status).toBe(401);
    const types = ((await (await d.admin('GET', '/audit?type=admin.credential_revoked')).json()) as { events: unknown[] }).events;
    expect(types).toHaveLength(1);
  });

  it('lets an agent end its grant with a lapsed token (task done after a pause)', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const { token, grantId } = await d.approvedToken(agent, { approve: { expires_in: 1800 } });
    d.clock.advance(600);
    expect((await d.form('/revoke', { token }, auth(agent))).status).toBe(200);
    expect(await (await d.admin('GET', `/grants/${grantId}`)).json()).toMatchObject({ status: 'ended' });
    const again = await d.form(
      '/token',
      { grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: token, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN },
      auth(agent),
    );
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it.each(['\u200e', '\u200f', '\u061c', '\u200b', '\u200d', '\ufeff'])('refuses a binding message hiding U+%s', async (ch) => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const res = await d.form('/bc-authorize', { scope: 'mail.read', resource: MAIL, binding_message: `Read mail${ch}then send it` }, auth(agent));
    expect(await res.json()).toMatchObject({ error: 'invalid_binding_message' });
  });

  it('removing an agent leaves its overdue requests expired, not denied', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    await d.request(agent);
    d.clock.advance(601);
    await d.admin('DELETE', `/agents/${agent.client_id}`);
    const all = (await (await d.admin('GET', '/grants?all=true')).json()) as { grants: { status: string }[] };
    expect(all.grants.map((g) => g.status)).toEqual(['expired']);
  });

  it('answers a late outcome for an external grant past its time as a conflict, and keeps it expired', async () => {
    const d = await startTestDaemon();
    const created = (await (
      await d.admin('POST', '/external-grants', {
        platform: 'claude',
        provider_host: 'github.com',
        client_id: 'c',
        redirect_uri: 'https://claude.ai/api/mcp/auth_callback',
        requested_scope: ['repo'],
        allowed_scope: ['repo'],
        pkce: true,
        expires_in: 60,
        decision: 'continue',
      })
    ).json()) as { id: string };
    d.clock.advance(61);
    expect((await d.admin('POST', `/external-grants/${created.id}/outcome`, { result: 'granted' })).status).toBe(409);
    const all = (await (await d.admin('GET', '/external-grants?all=true')).json()) as { grants: { status: string }[] };
    expect(all.grants.map((g) => g.status)).toEqual(['expired']);
  });
});
