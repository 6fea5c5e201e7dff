import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { agentCreated, grantList } from '#shared/admin-api.js';
import { GRANT_TYPE_CIBA, tokenResponse } from '#shared/oauth.js';
import { runCli } from '../src/cli/index.js';
import { MAIL, auth, startTestDaemon, type TestDaemon } from './harness.js';

async function cli(d: TestDaemon | { home: string; port: number }, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli([...argv, '--home', d.home, '--port', String(d.port)], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: {},
    stopSignal: new Promise(() => {}),
  });
  return { code, out, err };
}

describe('mandate CLI against the running daemon', () => {
  it("calls the daemon over node:http, never Node's fetch (which held every command open ~200 ms after the answer)", async () => {
    const d = await startTestDaemon();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      expect(await cli(d, 'status')).toMatchObject({ code: 0, out: expect.stringContaining('is running at') });
      expect(await cli(d, 'grants', '--json')).toMatchObject({ code: 0 });
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('walks the README flow: add agent, pending, approve fewer scopes for 10m, grants, revoke, audit verify', async () => {
    const d = await startTestDaemon();
    const added = await cli(d, 'agents', 'add', 'Mail helper', '--scope', 'mail.read', '--scope', 'mail.send', '--resource', MAIL, '--json');
    expect(added.code).toBe(0);
    const agent = agentCreated.parse(JSON.parse(added.out));

    const human = await cli(d, 'agents', 'list');
    expect(human.out).toContain('Mail helper');
    expect(human.out).not.toContain(agent.client_secret);

    const authReqId = await d.request(agent);
    const pending = await cli(d, 'pending');
    expect(pending.out).toMatch(/wants\s+mail\.read mail\.send/);
    expect(pending.out).toContain('"Summarise my inbox"');

    const approved = await cli(d, 'approve', authReqId, '--scope', 'mail.read', '--for', '10m');
    expect(approved.code).toBe(0);
    expect(approved.out).toMatch(/^Approved grt_\S+: Mail helper may use mail\.read on https:\/\/mail\.example\/ until .* \(10m\)\.\n$/);

    const token = tokenResponse.parse(await (await d.form('/token', { grant_type: GRANT_TYPE_CIBA, auth_req_id: authReqId }, auth(agent))).json());
    expect(token.scope).toBe('mail.read');

    const grants = grantList.unwrap().shape.grants.parse(JSON.parse((await cli(d, 'grants', '--json')).out));
    expect(grants).toHaveLength(1);
    expect((await cli(d, 'grants')).out).toMatch(/approved\s+Mail helper\s+https:\/\/mail\.example\/\s+mail\.read\s+in 10m/);

    const revoked = await cli(d, 'revoke', grants[0]!.id);
    expect(revoked).toMatchObject({ code: 0, out: expect.stringContaining('Revoked') });
    expect(await (await d.form('/introspect', { token: token.access_token }, auth(agent))).json()).toEqual({ active: false });

    const verify = await cli(d, 'audit', 'verify');
    expect(verify).toMatchObject({ code: 0, out: expect.stringMatching(/^Audit chain intact: \d+ row\(s\) verified/) });
    const lines = (await cli(d, 'audit', '--json')).out.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toContain('grant.revoked');
  });

  it('denies, revokes all, removes agents and makes pairing codes', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent);
    expect((await cli(d, 'deny', authReqId, '--reason', 'not today')).out).toMatch(/^Denied grt_/);
    // the table's DETAIL column reads the row's detail through the audit catalog
    expect((await cli(d, 'audit', '--type', 'grant.denied')).out).toMatch(/^\d+\s.*grant\.denied\s.*\sgrt_\S+\s+via cli; not today$/m);
    await d.approvedToken(agent);
    await d.approvedToken(agent);
    expect((await cli(d, 'revoke', '--all')).out).toMatch(/^Revoked 2 delegation\(s\)/);
    expect((await cli(d, 'revoke', '--all')).out).toBe('Nothing to revoke: no live delegations.\n');
    expect((await cli(d, 'pair')).out).toMatch(/^Pairing code: [A-Z2-9]{4}-[A-Z2-9]{4}\n/);
    expect((await cli(d, 'agents', 'remove', agent.client_id)).code).toBe(0);
    expect((await cli(d, 'agents', 'list')).out).toMatch(/^No agents registered/);
    expect((await cli(d, 'status')).out).toContain(`running at ${d.url}`);
  });

  it('explains mistakes: usage errors exit 2, daemon refusals exit 1 with the reason', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const authReqId = await d.request(agent);
    const wider = await cli(d, 'approve', authReqId, '--scope', 'mail.delete');
    expect(wider).toMatchObject({ code: 1, err: expect.stringContaining('only requested scopes can be approved') });
    expect(await cli(d, 'approve', authReqId, '--for', 'soon')).toMatchObject({ code: 2, err: expect.stringContaining('is not a duration') });
    expect(await cli(d, 'approve')).toMatchObject({ code: 2 });
    expect(await cli(d, 'revoke', 'grt_nope')).toMatchObject({ code: 1, err: expect.stringContaining('no request or grant') });
    expect(await cli(d, 'agents', 'add', 'x', '--bogus')).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--bogus'") });
    expect(await cli(d, 'frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command') });
  });

  it('says how to start the daemon when none is running', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mandate-cli-'));
    const r = await cli({ home, port: 1 }, 'pending');
    expect(r).toMatchObject({ code: 1, err: expect.stringContaining('Start the daemon first') });
    rmSync(home, { recursive: true, force: true });
  });

  it('shows a stored agent name with control characters as visible markers (registration refuses them now)', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    await d.request(agent);
    // A record from before the text policy: written straight into the database (the daemon's own connection: it
    // holds the file exclusively while it runs).
    d.ctx.db.prepare('UPDATE clients SET name = ? WHERE client_id = ?').run('Evil\u001b[2J\u001b[31mbot\u202e', agent.client_id);
    const out = (await cli(d, 'pending')).out;
    expect(out).not.toContain('\u001b');
    expect(out).toContain('Evil⟨U+001B⟩[2J⟨U+001B⟩[31mbot⟨U+202E⟩');
  });

  it('pending shows authorization_details in plain words: amount with currency, payee, IBAN grouped in full', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const details = [
      {
        type: 'payment_initiation',
        instructedAmount: { currency: 'EUR', amount: '9999.00' },
        creditorName: 'Merchant A',
        creditorAccount: { iban: 'DE02120300000000202051' },
        remittanceInformationUnstructured: 'Ref Number Merchant',
      },
      { type: 'x-custom', note: 'hello' },
    ];
    await d.request(agent, { binding_message: 'Pay the electricity bill', authorization_details: JSON.stringify(details) });
    const out = (await cli(d, 'pending')).out;
    expect(out).toContain('Payment (risk: admin)');
    expect(out).toMatch(/Amount +9,999\.00 EUR/);
    expect(out).toMatch(/To +Merchant A/);
    expect(out).toMatch(/To account \(IBAN\) +DE02 1203 0000 0000 2020 51/);
    expect(out).toMatch(/Reference +Ref Number Merchant/);
    expect(out).toContain('Unknown type “x-custom” (risk: write)');
    expect(out).toContain('! Unknown type — check with the agent’s maker');
    expect(out).toMatch(/note +hello/);
    expect(out).not.toContain('"instructedAmount"');
    expect(out).toContain('! Payee not seen before');

    // once a payment to that account was approved, the next one to it is not flagged as new
    const pending = grantList.parse(await (await d.admin('GET', '/requests')).json()).grants;
    expect((await d.admin('POST', `/requests/${pending[0]!.id}/approve`, {})).status).toBe(200);
    await d.request(agent, { authorization_details: JSON.stringify(details.slice(0, 1)) });
    const again = (await cli(d, 'pending')).out;
    expect(again).toMatch(/Amount +9,999\.00 EUR/);
    expect(again).not.toContain('Payee not seen before');
    expect((await cli(d, 'grants')).out).toContain('a payment of 9,999.00 EUR to Merchant A, and details of unknown type “x-custom”');
  });
});

describe('the mandate binary', () => {
  it('starts with a ready banner and pairing code, serves requests, and stops on SIGTERM', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mandate-bin-'));
    const child = spawn(process.execPath, ['bin/mandate.js', 'daemon', '--port', '0', '--home', home, '--user', 'user:test@host'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('Stop with Ctrl-C') && resolve());
      child.once('exit', (c) => reject(new Error(`exited ${c}`)));
    });
    expect(out).toMatch(/^Mandate daemon ready in \d+ ms\n/);
    expect(out).toContain(`data dir      ${home}`);
    expect(out).toContain('person        user:test@host');
    expect(out).toMatch(/pairing code {2}[A-Z2-9]{4}-[A-Z2-9]{4}/);
    const url = /listening\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    expect((await fetch(`${url}/jwks.json`)).status).toBe(200);
    const exit = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    rmSync(home, { recursive: true, force: true });
  });

  it('refuses to start when the port is taken, saying so', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const home = mkdtempSync(join(tmpdir(), 'mandate-bin-'));
    const child = spawn(process.execPath, ['bin/mandate.js', 'daemon', '--home', home], { env: { ...process.env, MANDATE_PORT: String(port) } });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(err).toContain(`port ${port} on 127.0.0.1 is already in use`);
    blocker.close();
    rmSync(home, { recursive: true, force: true });
  });
});
