/**
 * What `readCheckpoint` (audit/checkpoint.ts) accepts as a signed head file: exactly a version-1 body with four counts
 * and two hex MACs, carrying the MAC of this key. Anything else is `invalid`, with a reason, and never a head.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { headMac, type ChainHead } from '../src/audit/chain.js';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from '../src/audit/checkpoint.js';

let dir: string;
const key = randomBytes(32);
const head: ChainHead = { last_id: 42, last_mac: 'a'.repeat(64), count: 42, legacy_rows: 3 };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mandate-cp-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const body = (over: Record<string, unknown> = {}) => ({ v: 1, ...head, mac: headMac(key, head), ...over });
const read = (content: unknown) => {
  writeFileSync(join(dir, CHECKPOINT_FILE), typeof content === 'string' ? content : JSON.stringify(content));
  return readCheckpoint(dir, key);
};

it('reads back what writeCheckpoint wrote, and says none when there is no file', () => {
  expect(readCheckpoint(dir, key)).toEqual({ kind: 'none' });
  writeCheckpoint(dir, key, head);
  expect(readCheckpoint(dir, key)).toEqual({ kind: 'ok', head });
});

it('ignores members it does not know, and returns only the head', () => {
  expect(read(body({ note: 'x' }))).toEqual({ kind: 'ok', head });
});

it.each([
  ['not JSON', '{"v":1,', 'is not JSON'],
  ['null', null, 'is not a Mandate head checkpoint'],
  ['an array', [body()], 'is not a Mandate head checkpoint'],
  ['another version', body({ v: 2 }), 'is not a Mandate head checkpoint'],
  ['the version as a string', body({ v: '1' }), 'is not a Mandate head checkpoint'],
  ['a missing count', body({ count: undefined }), 'is not a Mandate head checkpoint'],
  ['a negative id', body({ last_id: -1 }), 'is not a Mandate head checkpoint'],
  ['a fractional count', body({ count: 4.5 }), 'is not a Mandate head checkpoint'],
  ['a count beyond the safe integers', body({ legacy_rows: 2 ** 53 }), 'is not a Mandate head checkpoint'],
  ['a count as a string', body({ last_id: '42' }), 'is not a Mandate head checkpoint'],
  ['an upper-case MAC', body({ last_mac: 'A'.repeat(64) }), 'is not a Mandate head checkpoint'],
  ['a short MAC', body({ mac: 'ab' }), 'is not a Mandate head checkpoint'],
  ['another key’s MAC', body({ mac: headMac(randomBytes(32), head) }), 'does not carry a valid MAC for this key'],
  ['a head changed under its MAC', body({ count: 43 }), 'does not carry a valid MAC for this key'],
])('refuses %s', (_name, content, reason) => {
  const cp = read(content);
  expect(cp.kind).toBe('invalid');
  expect(cp.kind === 'invalid' && cp.reason).toContain(reason);
});
