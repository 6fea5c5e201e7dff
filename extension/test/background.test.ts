/**
 * The service worker's entry (background/index.ts) with a fake browser and a fake daemon: the state port,
 * the message dispatch (sender check, payload parse, handler, error mapping) and each handler's daemon call.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DAEMON, type FakeDaemon, ORIGIN, fakeDaemon } from './support/fake-daemon.js';

vi.mock('../src/lib/browser.js', () => import('./support/fake-browser.js'));
vi.mock('../src/background/credential-store.js', () => import('./support/fake-pairing.js'));

let daemon: FakeDaemon;
let fake: typeof import('./support/fake-browser.js');
const PAGE = { id: 'ffgkmgaanieiccjamnkagikpfjiadigm', url: `${ORIGIN}/src/popup/index.html` };
const tab = { id: 7, index: 0, highlighted: false, active: true, pinned: false, incognito: false };
const chatgpt = { id: PAGE.id, url: 'https://chatgpt.com/c/1', tab: { ...tab, url: 'https://chatgpt.com/c/1' } };

/** Sends a message the way runtime.sendMessage delivers it, and returns the worker's reply. */
async function ask(message: unknown, sender: object = PAGE): Promise<unknown> {
  const [reply] = fake.default.runtime.onMessage.fire(message as never, sender as never);
  return reply;
}

beforeAll(async () => {
  vi.stubGlobal('self', { location: { origin: ORIGIN } });
  vi.stubGlobal('navigator', { userAgent: 'Chromium' });
  daemon = await fakeDaemon();
  vi.stubGlobal('fetch', daemon.fetch);
  fake = await import('./support/fake-browser.js');
  const { savePairing } = await import('../src/background/credential-store.js');
  const { newProofKey } = await import('../src/background/proof.js');
  await savePairing({ credential: 'mpc_test', proofKey: await newProofKey(), daemonJwk: daemon.jwk });
  await import('../src/background/index.js');
  await vi.waitFor(() => expect(daemon.count('GET', '/session')).toBeGreaterThan(0));
});
afterAll(() => {
  daemon.up = false;
  daemon.endStreams();
  vi.unstubAllGlobals();
});

describe('the state port', () => {
  it('adds no listener however many times pages connect (the misplaced onManagedPolicyChange)', () => {
    const b = fake.default;
    const before = { changed: b.storage.onChanged.listeners.size, connect: b.runtime.onConnect.listeners.size };
    expect(before.changed).toBeGreaterThan(0);
    const ports = Array.from({ length: 50 }, () => fake.fakePort('mandate-state'));
    for (const port of ports) b.runtime.onConnect.fire(port as never);
    expect(b.storage.onChanged.listeners.size).toBe(before.changed);
    expect(b.runtime.onConnect.listeners.size).toBe(before.connect);
    expect(ports.every((p) => p.posted.length === 1)).toBe(true); // each got the current state at once
    for (const port of ports) port.disconnect();
  });

  it('is refused to a content script', () => {
    const port = fake.fakePort('mandate-state', 'https://chatgpt.com/c/1');
    let closed = false;
    port.disconnect = () => {
      closed = true;
    };
    fake.default.runtime.onConnect.fire(port as never);
    expect(closed).toBe(true);
    expect(port.posted).toEqual([]);
  });
});

describe('message dispatch', () => {
  it.each([
    ['not an envelope', 'hello', PAGE, 'invalid_message'],
    ['an unknown type', { type: 'no.such', payload: {} }, PAGE, 'forbidden'],
    ['an approval from a content script', { type: 'requests.approve', payload: { id: 'g1', scope: ['read'], expires_in: 60 } }, chatgpt, 'forbidden'],
    ['a report from an extension page', { type: 'content.report', payload: { site: 'chatgpt', kind: 'prompt-seen' } }, PAGE, 'forbidden'],
    ['anything from another extension', { type: 'state.get', payload: {} }, { id: 'x'.repeat(32), url: 'chrome-extension://x/' }, 'forbidden'],
    ['a malformed payload', { type: 'requests.approve', payload: { id: 'g1', scope: [], expires_in: 60 } }, PAGE, 'invalid_request'],
    ['a report from another site', { type: 'content.report', payload: { site: 'claude', kind: 'prompt-seen' } }, chatgpt, 'forbidden'],
  ])('refuses %s', async (_, message, sender, code) => {
    expect(await ask(message, sender)).toMatchObject({ ok: false, error: { code } });
  });

  it('approves through the daemon with the credential, and passes the daemon’s refusal code on', async () => {
    daemon.answers.set('POST /requests/g%201/approve', { status: 400, body: { error: 'invalid_scope', error_description: 'blocked by policy' } });
    const reply = await ask({ type: 'requests.approve', payload: { id: 'g 1', scope: ['read'], expires_in: 900 } });
    expect(reply).toEqual({ ok: false, error: { code: 'invalid_scope', message: 'blocked by policy' } });
    const call = daemon.calls.findLast((c) => c.path === '/requests/g%201/approve');
    expect(call).toMatchObject({ method: 'POST', body: { scope: ['read'], expires_in: 900 }, headers: { authorization: 'DPoP mpc_test' } });
  });

  it('maps an answer that is not a daemon error to bad_response, and a missing daemon to unreachable', async () => {
    daemon.answers.set('POST /grants/g2/revoke', { status: 418, body: { nope: true } });
    expect(await ask({ type: 'grants.revoke', payload: { id: 'g2' } })).toMatchObject({ ok: false, error: { code: 'bad_response' } });
    daemon.up = false;
    expect(await ask({ type: 'grants.revoke', payload: { id: 'g2' } })).toMatchObject({ ok: false, error: { code: 'unreachable' } });
    daemon.up = true;
  });

  it('records a content script’s report with the host it came from, never one the page names', async () => {
    daemon.answers.set('POST /chat-events', { status: 200, body: { recorded: true } });
    const reply = await ask({ type: 'content.report', payload: { site: 'chatgpt', kind: 'decision', decision: 'allow', app: 'Gmail' } }, chatgpt);
    expect(reply).toEqual({ ok: true, value: { recorded: true } });
    expect(daemon.calls.findLast((c) => c.path === '/chat-events')?.body).toEqual({
      site: 'chatgpt',
      kind: 'decision',
      decision: 'allow',
      app: 'Gmail',
      page_host: 'chatgpt.com',
    });
    const forged = { type: 'content.report', payload: { site: 'chatgpt', kind: 'decision', page_host: 'evil.example' } };
    expect(await ask(forged, chatgpt)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('queries the audit trail with the filter as query parameters', async () => {
    daemon.answers.set('GET /audit?type=grant.approved&limit=5', { status: 200, body: { events: [] } });
    expect(await ask({ type: 'audit.query', payload: { type: 'grant.approved', limit: 5 } })).toEqual({ ok: true, value: { events: [] } });
  });

  it('answers state.get from the daemon it is connected to', async () => {
    expect(await ask({ type: 'state.get', payload: {} })).toMatchObject({ ok: true, value: { connection: { state: 'online' }, daemonUrl: DAEMON } });
  });
});

describe('the review page asks what its tab tried to load', () => {
  const agentRequest = `https://accounts.provider.example/oauth2/authorize?response_type=code&client_id=app1&scope=files.write&redirect_uri=${encodeURIComponent('https://claude.ai/api/mcp/auth_callback')}&code_challenge=${'x'.repeat(43)}&code_challenge_method=S256`;
  const reviewPage = (tabId: number) => ({ id: PAGE.id, url: `${ORIGIN}/src/review/index.html?via=get`, frameId: 0, tab: { ...tab, id: tabId } });
  const open = (tabId: number) => ask({ type: 'intercept.open', payload: { via: 'get' } }, reviewPage(tabId));

  it('knows nothing the worker did not see in that tab', async () => {
    expect(await open(20)).toEqual({ ok: true, value: { action: 'none' } });
  });

  it('gets a load that only webRequest reported (Firefox now and then sends no onBeforeNavigate)', async () => {
    fake.default.webRequest.onBeforeRequest.fire({ tabId: 21, frameId: 0, url: agentRequest, type: 'main_frame' } as never);
    expect(await open(21)).toMatchObject({ ok: true, value: { action: 'review', url: agentRequest } });
    expect(await open(21)).toEqual({ ok: true, value: { action: 'none' } });
  });

  it('gets one review for a load both witnesses reported, and only in its own tab', async () => {
    fake.default.webNavigation.onBeforeNavigate.fire({ tabId: 22, frameId: 0, url: agentRequest } as never);
    fake.default.webRequest.onBeforeRequest.fire({ tabId: 22, frameId: 0, url: agentRequest, type: 'main_frame' } as never);
    expect(await open(23)).toEqual({ ok: true, value: { action: 'none' } });
    expect(await open(22)).toMatchObject({ ok: true, value: { action: 'review', url: agentRequest } });
    expect(await open(22)).toEqual({ ok: true, value: { action: 'none' } });
  });
});
