/** bench/daemon.ts, the one way benchmarks run a daemon: spawn, start line, admin credential, pairing code, stop. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SHIPPED_NODE_ARGS, spawnDaemon } from '../daemon.js';

// its own key root, removed after: the shared test root (test-keys.setup.ts) is in use by other test files
const keyRoot = mkdtempSync(join(tmpdir(), 'mandate-bench-keys-'));
process.env.MANDATE_KEY_DIR = keyRoot;
afterAll(() => rmSync(keyRoot, { recursive: true, force: true }));

it('spawns the built daemon, calls its admin API with the CLI credential, and stops it, removing its own data directory', { timeout: 30_000 }, async () => {
  const d = await spawnDaemon();
  try {
    // by default the daemon's node gets npm start's flags, as every launcher gives them
    expect(d.child.spawnargs.slice(1, 1 + SHIPPED_NODE_ARGS.length)).toEqual(SHIPPED_NODE_ARGS);
    expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${d.url}/.well-known/oauth-authorization-server`)).status).toBe(200);
    expect(await d.admin.pairingCode()).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const agent = await d.admin.call<{ client_id: string }>('POST', '/agents', { name: 'Bench', scopes: ['mail.read'], resources: ['https://mail.example/'] });
    expect(agent.client_id).toBeTruthy();
    await expect(d.admin.call('POST', '/agents', {})).rejects.toThrow(/^\/agents: 400/);
  } finally {
    await d.stop();
  }
  expect(d.child.exitCode ?? d.child.signalCode).not.toBeNull();
  expect(existsSync(d.home)).toBe(false);
});

it('keeps a data directory it was given', { timeout: 30_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'mandate-bench-test-'));
  const d = await spawnDaemon({ home, stderr: 'ignore' });
  await d.stop();
  expect(existsSync(join(home, 'cli-credential'))).toBe(true);
  rmSync(home, { recursive: true, force: true });
});

it('runs the daemon with the flags npm start gives it, which every service file in docs/examples gives it too', () => {
  // the memory reducer off (bench/README.md, "The idle daemon"); the young generation's cap needs no flag: the daemon
  // sets it itself (src/young-generation.ts), so any launcher gets it
  expect(SHIPPED_NODE_ARGS).toEqual(['--no-memory-reducer']);
  const flags = SHIPPED_NODE_ARGS.map((f) => ` ${f}`).join('');
  const service = readFileSync('docs/examples/mandate.service', 'utf8');
  expect(service).toMatch(new RegExp(`^ExecStart=\\S+node${flags} \\S+/bin/mandate\\.js daemon$`, 'm'));
  const plist = readFileSync('docs/examples/dev.mandate.daemon.plist', 'utf8');
  const program = [...plist.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1]);
  const node = program.findIndex((a) => a?.endsWith('/node'));
  expect(program.slice(node + 1, node + 1 + SHIPPED_NODE_ARGS.length + 2)).toEqual([...SHIPPED_NODE_ARGS, '/usr/local/lib/mandate/bin/mandate.js', 'daemon']);
  const task = readFileSync('docs/examples/install-task.ps1', 'utf8');
  expect(task).toContain(`& '$Node'${flags} '$Mandate' daemon`);
});

it("leaves Node's embedded code cache in use: npm start's flags do not change V8's cached-data tag", () => {
  // a flag that changes how V8 compiles (--max-semi-space-size does) makes it refuse the code cache Node embeds for its
  // own modules, which costs start-up about 30 ms (src/young-generation.ts); the memory reducer's flag does not
  const tag = (flags: readonly string[]) => execFileSync(process.execPath, [...flags, '-p', 'require("node:v8").cachedDataVersionTag()'], { encoding: 'utf8' });
  const plain = tag([]);
  expect(tag(SHIPPED_NODE_ARGS)).toBe(plain);
  expect(tag(['--max-semi-space-size=2'])).not.toBe(plain);
});
