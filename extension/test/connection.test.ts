import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAEMON, type FakeDaemon, ORIGIN, fakeDaemon, grant } from './support/fake-daemon.js';

vi.mock('../src/lib/browser.js', () => import('./support/fake-browser.js'));
vi.mock('../src/background/credential-store.js', () => import('./support/fake-pairing.js'));
let connectionManager: typeof import('../src/background/connection.js').connectionManager;
let pairing: typeof import('../src/background/credential-store.js');
let proof: typeof import('../src/background/proof.js');

let daemon: FakeDaemon;
const identityChecks = () => daemon.count('POST', '/identity');
const loads = () => daemon.count('GET', '/session');

/** Lets pending work (WebCrypto, fetch, streams) settle without moving the fake clock: turns of the real event loop. */
/** Turns the real event loop (fake clock still) until `done()` holds: WebCrypto may take a while on a loaded machine. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 20_000 && !done(); i++) {
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((r) => setImmediate(r));
  }
  expect(done()).toBe(true);
}

const settle = async () => {
  for (let i = 0; i < 60; i++) {
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((r) => setImmediate(r));
  }
};

async function paired() {
  await pairing.savePairing({ credential: 'mpc_test', proofKey: await proof.newProofKey(), daemonJwk: daemon.jwk });
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.stubGlobal('self', { location: { origin: ORIGIN } });
  daemon = await fakeDaemon();
  vi.stubGlobal('fetch', daemon.fetch);
  // fresh module state (the unreachable count, the daemon clock, the pairing) for every test
  vi.resetModules();
  ({ connectionManager } = await import('../src/background/connection.js'));
  pairing = await import('../src/background/credential-store.js'); // the fake, as connection.js sees it
  proof = await import('../src/background/proof.js');
});
afterEach(async () => {
  // what this test's manager still does (a retry, a stream's end) must not reach the next test's daemon
  daemon.up = false;
  daemon.endStreams();
  await settle();
  vi.clearAllTimers();
  vi.useRealTimers();
  // work already under way (WebCrypto runs off the event loop) ends here, against this test's daemon, which is down
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
  vi.unstubAllGlobals();
});

describe('connectionManager', () => {
  it('is unpaired, and calls nothing, without a pairing', async () => {
    const conn = connectionManager({ onChange: () => undefined });
    expect((await conn.refresh()).connection).toEqual({ state: 'unpaired' });
    expect(daemon.calls).toEqual([]);
    await expect(conn.target()).rejects.toMatchObject({ code: 'unpaired' });
  });

  it('goes online after the daemon proves its identity, and reports requests not seen before once', async () => {
    await paired();
    daemon.pending = [grant('g1')];
    const fresh: string[][] = [];
    const conn = connectionManager({ onChange: (_s, newRequests) => fresh.push(newRequests.map((g) => g.id)) });
    const state = await conn.refresh();
    expect(state.connection).toEqual({ state: 'online', person: 'user:alice', version: '0.1.0' });
    expect(state.daemonUrl).toBe(DAEMON);
    expect(identityChecks()).toBe(1);
    // the identity challenge carries no credential; every later call does, with a DPoP proof
    expect(daemon.calls[0]?.headers.authorization).toBeUndefined();
    expect(daemon.calls.slice(1).every((c) => c.headers.authorization === 'DPoP mpc_test' && c.headers.dpop)).toBe(true);
    await conn.refresh();
    expect(fresh).toEqual([['g1'], []]);
    expect((await conn.target()).auth?.credential).toBe('mpc_test');
  });

  it('fails closed while the daemon is down, retrying with backoff, and recovers', async () => {
    await paired();
    daemon.up = false;
    const conn = connectionManager({ onChange: () => undefined });
    expect((await conn.refresh()).connection.state).toBe('offline');
    await expect(conn.target()).rejects.toMatchObject({ name: 'DaemonError', kind: 'unreachable' });
    const attempts = () => identityChecks();
    const before = attempts();
    const delays: number[] = [];
    for (const expected of [1000, 2000, 4000, 5000, 5000]) {
      const start = attempts();
      await vi.advanceTimersByTimeAsync(expected - 1);
      await settle();
      expect(attempts(), `nothing before ${expected} ms`).toBe(start);
      await vi.advanceTimersByTimeAsync(1);
      await settle();
      expect(attempts()).toBeGreaterThan(start);
      delays.push(expected);
    }
    expect(attempts() - before).toBeGreaterThanOrEqual(delays.length);
    expect(conn.current().connection.state).toBe('offline');
    daemon.up = true;
    await vi.advanceTimersByTimeAsync(5000);
    await until(() => conn.current().connection.state === 'online');
  });

  it('sends no credential to something at the address that cannot prove the pinned identity', async () => {
    await paired();
    await daemon.replaceIdentity();
    const conn = connectionManager({ onChange: () => undefined });
    const state = await conn.refresh();
    expect(state.connection.state).toBe('impostor');
    expect(daemon.calls.filter((c) => c.headers.authorization !== undefined).map((c) => c.path)).toEqual([]);
    await expect(conn.target()).rejects.toMatchObject({ code: 'impostor' });
  });

  it('is rejected, without retrying, when the daemon refuses the credential', async () => {
    await paired();
    daemon.answers.set('POST /policy/browser', { status: 401, body: { error: 'invalid_token', error_description: 'revoked' } });
    const conn = connectionManager({ onChange: () => undefined });
    expect((await conn.refresh()).connection).toEqual({ state: 'rejected', reason: 'revoked' });
    const calls = daemon.calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(daemon.calls.length).toBe(calls);
  });

  it('coalesces a burst of refreshes into one in flight and one queued', async () => {
    await paired();
    const conn = connectionManager({ onChange: () => undefined });
    await conn.refresh();
    const before = loads();
    const burst = [conn.refresh(), conn.refresh(), conn.refresh(), conn.refresh(), conn.refresh()];
    expect(new Set(burst).size).toBe(1);
    await Promise.all(burst);
    await until(() => loads() - before >= 2);
    await settle();
    expect(loads() - before).toBe(2);
  });

  it('refreshes on change events, and after the stream drops re-checks the identity and follows a new stream', async () => {
    await paired();
    const conn = connectionManager({ onChange: () => undefined });
    await conn.refresh();
    await until(() => daemon.count('GET', '/events') === 1);
    const connected = loads();
    daemon.emit('ready'); // the subscription is live: the lists are read once more
    await until(() => loads() === connected + 1);
    await settle();
    const before = loads();
    daemon.emit('audit');
    await settle();
    expect(loads()).toBe(before);
    daemon.emit('grant');
    await until(() => loads() === before + 1);

    const checks = identityChecks();
    daemon.endStreams();
    await until(() => daemon.count('GET', '/events') === 2);
    expect(identityChecks()).toBe(checks + 1);
    expect(conn.current().connection.state).toBe('online');
    daemon.emit('ready');
    await until(() => loads() === before + 3);
    daemon.emit('external');
    await until(() => loads() === before + 4);
    await settle();
    expect(loads()).toBe(before + 4);
  });

  it('a load under way when the stream drops does not open the next stream; that waits for the identity checked again', async () => {
    await paired();
    const conn = connectionManager({ onChange: () => undefined });
    await conn.refresh();
    await until(() => daemon.count('GET', '/events') === 1);
    let answer: () => void = () => undefined;
    daemon.gates.set('GET /session', new Promise<void>((r) => (answer = r)));
    const before = loads();
    daemon.emit('grant');
    await until(() => loads() === before + 1); // that load waits for the daemon's answer
    const checks = identityChecks();
    daemon.endStreams(); // the address stops answering while it waits
    await settle();
    daemon.gates.clear();
    answer();
    await until(() => daemon.count('GET', '/events') === 2);
    await settle();
    const calls = daemon.calls.map((c) => `${c.method} ${c.path}`);
    const secondStream = calls.indexOf('GET /events', calls.indexOf('GET /events') + 1);
    expect(identityChecks()).toBe(checks + 1);
    expect(secondStream).toBeGreaterThan(calls.lastIndexOf('POST /identity'));
    expect(daemon.count('GET', '/events')).toBe(2);
    expect(conn.current().connection.state).toBe('online');
  });

  it('reads the lists again once the stream is subscribed, so a request filed before that is not missed', async () => {
    await paired();
    const fresh: string[][] = [];
    const conn = connectionManager({ onChange: (_s, newRequests) => fresh.push(newRequests.map((g) => g.id)) });
    await conn.refresh();
    await until(() => daemon.count('GET', '/events') === 1);
    // filed after the first read and before the daemon subscribed this stream: no event carries it
    daemon.pending = [grant('g2')];
    await settle();
    expect(conn.current().pending).toEqual([]);
    daemon.emit('ready');
    await until(() => conn.current().pending.length === 1);
    expect(conn.current().pending.map((g) => g.id)).toEqual(['g2']);
    expect(fresh.flat()).toEqual(['g2']);
  });
});
