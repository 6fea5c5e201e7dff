import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MandateError } from '#shared/errors.js';
import { reportError, runCli } from '../src/cli/index.js';
import { DB_FILE } from '../src/config.js';
import { MigrationError } from '../src/store/migrate.js';
import { startTestDaemon, TEST_KEY_ROOT } from './harness.js';

function io() {
  const buf = { out: '', err: '' };
  return {
    buf,
    io: {
      out: (t: string) => {
        buf.out += t;
      },
      err: (t: string) => {
        buf.err += t;
      },
      env: {},
      stopSignal: new Promise<string>(() => {}),
    },
  };
}

async function cli(...argv: string[]) {
  const { buf, io: sink } = io();
  const code = await runCli(argv, sink);
  return { code, ...buf };
}

describe('CLI errors: one model, mapped by class', () => {
  it('a malformed --port or MANDATE_PORT is a usage mistake: exit 2 with the help', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mandate-cli-'));
    expect(await cli('pending', '--home', home, '--port', 'abc')).toMatchObject({ code: 2, err: expect.stringContaining('--port: port must be a number') });
    expect(await cli('daemon', '--home', home, '--port', '99999')).toMatchObject({ code: 2, err: expect.stringContaining('mandate daemon [--port <n>]') });
    const { buf, io: sink } = io();
    const code = await runCli(['status', '--home', home], { ...sink, env: { MANDATE_PORT: 'x1' } });
    expect({ code, err: buf.err }).toMatchObject({ code: 2, err: expect.stringContaining('MANDATE_PORT') });
    rmSync(home, { recursive: true, force: true });
  });

  it('audit --outcome bad and --limit 0 are usage mistakes (exit 2), checked before the daemon is asked', async () => {
    const d = await startTestDaemon();
    const args = ['--home', d.home, '--port', String(d.port)];
    expect(await cli('audit', '--outcome', 'bad', ...args)).toMatchObject({ code: 2, err: expect.stringContaining('--outcome must be ok or refused') });
    expect(await cli('audit', '--limit', '0', ...args)).toMatchObject({ code: 2, err: expect.stringContaining('--limit') });
    expect(await cli('audit', '--outcome', 'refused', ...args)).toMatchObject({ code: 0 });
  });

  it('a database written by a newer Mandate is said plainly, without a stack trace', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mandate-cli-'));
    const db = new Database(join(home, DB_FILE));
    db.pragma('user_version = 999');
    db.close();
    const r = await cli('daemon', '--home', home, '--port', '0', '--key-dir', TEST_KEY_ROOT);
    expect(r.code).toBe(1);
    expect(r.err).toContain('newer than this Mandate');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err).not.toContain('unexpected error');
    rmSync(home, { recursive: true, force: true });
  });

  it('a TypeError or RangeError from a bug says "unexpected error — please report it" with the detail, exit 1', () => {
    for (const bug of [new TypeError('cannot read properties of undefined'), new RangeError('invalid array length')]) {
      const { buf, io: sink } = io();
      expect(reportError('grants', 'help text', bug, sink)).toBe(1);
      expect(buf.err).toContain('unexpected error — please report it');
      expect(buf.err).toContain(bug.message);
      expect(buf.err).not.toContain('help text');
    }
  });

  it('a MandateError shows its public message and exits with its code; the logged detail stays out', () => {
    const { buf, io: sink } = io();
    expect(reportError('daemon', 'help', new MigrationError('database schema version 9 is newer'), sink)).toBe(1);
    expect(buf.err).toBe('mandate daemon: database schema version 9 is newer\n');
    const usage = io();
    expect(reportError('audit', 'the help', new MandateError('usage', 'bad flag', 'internal detail'), usage.io)).toBe(2);
    expect(usage.buf.err).toBe('mandate audit: bad flag\n\nthe help\n');
    const refused = io();
    reportError('x', 'h', new MandateError('daemon_refused', 'no such grant', 'SECRET DETAIL'), refused.io);
    expect(refused.buf.err).not.toContain('SECRET DETAIL');
  });

  it('approve --for 1m30s prints the exact duration, "(1m30s)"', async () => {
    const d = await startTestDaemon();
    const agent = await d.registerAgent();
    const id = await d.request(agent);
    const r = await cli('approve', id, '--for', '1m30s', '--home', d.home, '--port', String(d.port));
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/ \(1m30s\)\.\n$/) });
  });
});
