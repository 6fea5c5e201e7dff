/**
 * Issue 10 end to end: the real daemon, the built extension in Chromium, the example MCP server and the MCP SDK
 * client. An agent approved for notes.read only lists notes, is refused add_note (insufficient_scope, audited as
 * tool.refused), is refused again right after Revoke in the popup, and the Activity page shows the whole chain.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { agentCreated } from '#shared/admin-api.js';
import { tokenResponse } from '#shared/oauth.js';
import { startNotesServer } from '../examples/mcp-notes-server/server.js';
import { expect, pairThroughOptions, pollToken, test } from './fixtures.js';

const RESOURCE = 'https://notes.example/mcp';

test('notes.read only: list_notes works, add_note refused and audited, Revoke in the popup stops the next call; popup and Activity show it', async ({
  popup,
  daemon,
  options,
}) => {
  await pairThroughOptions(options, daemon);
  const register = async (body: unknown) => agentCreated.parse(await (await daemon.admin('POST', '/agents', body)).json());
  const agent = await register({ name: 'Notes agent', scopes: ['notes.read', 'notes.write'], resources: [RESOURCE] });
  const rs = await register({ name: 'Notes', kind: 'resource_server', resources: [RESOURCE] });
  const server = await startNotesServer({ issuer: daemon.daemon.url, clientId: rs.client_id, clientSecret: rs.client_secret, resource: RESOURCE });
  try {
    const authReqId = await daemon.request(agent, { scope: 'notes.read', resource: RESOURCE, binding_message: 'Tidy up my notes' });
    const page = await popup();
    const card = page.getByRole('listitem').filter({ hasText: 'Notes agent' });
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Approved for Notes agent' })).toBeVisible();
    const token = tokenResponse.parse(await (await pollToken(daemon, agent, authReqId)).json()).access_token;

    const client = new Client({ name: 'notes-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const listed = await client.callTool({ name: 'list_notes', arguments: {} });
    expect(JSON.stringify(listed.content)).toContain('Buy milk');
    await expect(client.callTool({ name: 'add_note', arguments: { text: 'steal the notes' } })).rejects.toThrow(/403|insufficient_scope/i);
    await client.close();

    await expect
      .poll(async () => {
        const audit = (await (await daemon.admin('GET', '/audit?limit=50')).json()) as { events: { type: string; detail: { tool?: string } | null }[] };
        return audit.events.filter((e) => e.type.startsWith('tool.')).map((e) => `${e.type}:${e.detail?.tool}`);
      })
      .toEqual(expect.arrayContaining(['tool.called:list_notes', 'tool.refused:add_note']));

    // the popup's active card tells what was done last
    await page.reload();
    const active = page.getByRole('listitem').filter({ hasText: 'Notes agent' });
    await expect(active.locator('.tool-calls')).toHaveText(/^Used list_notes just now · refused add_note just now$/);
    await page.screenshot({ path: 'test-results/screenshots/popup-tool-calls.png' });

    await active.getByRole('button', { name: 'Revoke' }).click();
    const call = () =>
      fetch(server.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'list_notes', arguments: {} } }),
      }).then((r) => r.status);
    await expect.poll(call, { timeout: 2000, intervals: [20] }).toBe(401); // the token itself has ~5 minutes left

    const activity = await popup('src/activity/index.html');
    await activity.setViewportSize({ width: 1000, height: 800 });
    const timeline = activity.locator('li.timeline').filter({ hasText: 'Notes agent' });
    for (const step of ['Asked for', 'Approved', 'Token issued', 'Used list_notes', 'Refused add_note', 'Revoked']) {
      await expect(timeline.getByText(step, { exact: false }).first()).toBeVisible();
    }
    await expect(timeline.locator('.agent')).toHaveAttribute('title', agent.client_id);
    await activity.screenshot({ path: 'test-results/screenshots/activity-timeline.png', fullPage: true });
  } finally {
    await server.close();
  }
});
