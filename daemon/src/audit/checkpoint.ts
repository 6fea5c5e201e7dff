import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { headJson, headMac, sameMac, type ChainHead } from './chain.js';
import { writeFileAtomic, writeFileAtomicBehind } from './key.js';

export const CHECKPOINT_FILE = 'audit.head';
/** The last head `audit verify` walked and found intact: the next verify starts there (docs/security.md). */
export const VERIFIED_FILE = 'audit.verified';

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isMac = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/**
 * A signed file's body, `{"v":1,"last_id","last_mac","count","legacy_rows","mac"}` (other members are ignored), or
 * undefined. Checked by hand rather than with a zod schema: the daemon reads its checkpoint at every start, and there
 * zod's first object schema cost about 10 ms to build and run (bench/README.md, "Schemas built when first parsed").
 */
function signedBody(json: unknown): { head: ChainHead; mac: string } | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { v, last_id, last_mac, count, legacy_rows, mac } = json as Record<string, unknown>;
  if (v !== 1 || !isCount(last_id) || !isMac(last_mac) || !isCount(count) || !isCount(legacy_rows) || !isMac(mac)) return undefined;
  return { head: { last_id, last_mac, count, legacy_rows }, mac };
}

export type CheckpointRead = { kind: 'none' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; head: ChainHead };

/**
 * The MAC of a verified head: domain-separated from the head MAC, so the running daemon's checkpoint (written
 * every CHECKPOINT_EVERY rows, never walked) cannot be copied over it to skip a walk.
 */
function verifiedMac(key: Buffer, head: ChainHead): string {
  return createHmac('sha256', key)
    .update(`mandate.audit.verified\n${headJson(head)}`, 'utf8')
    .digest('hex');
}

const MACS = { [CHECKPOINT_FILE]: headMac, [VERIFIED_FILE]: verifiedMac } as const;
type SignedFile = keyof typeof MACS;

/** The signed head checkpoint kept beside the key, outside the data directory. */
export function readCheckpoint(dir: string, key: Buffer): CheckpointRead {
  return readSigned(dir, key, CHECKPOINT_FILE);
}

/** The head the last passing `audit verify` walked to (none before the first verify). */
export function readVerified(dir: string, key: Buffer): CheckpointRead {
  return readSigned(dir, key, VERIFIED_FILE);
}

export function writeVerified(dir: string, key: Buffer, head: ChainHead): void {
  writeSigned(dir, key, VERIFIED_FILE, head);
}

function readSigned(dir: string, key: Buffer, file: SignedFile): CheckpointRead {
  let text: string;
  try {
    text = readFileSync(join(dir, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'invalid', reason: `cannot read ${file}: ${(e as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: `${file} is not JSON` };
  }
  const body = signedBody(json);
  if (body === undefined) return { kind: 'invalid', reason: `${file} is not a Mandate head checkpoint` };
  const { head, mac } = body;
  if (!sameMac(mac, MACS[file](key, head))) return { kind: 'invalid', reason: `${file} does not carry a valid MAC for this key` };
  return { kind: 'ok', head };
}

export function writeCheckpoint(dir: string, key: Buffer, head: ChainHead): void {
  writeSigned(dir, key, CHECKPOINT_FILE, head);
}

/** `writeCheckpoint` with the file write and fsyncs off the event loop; `claim()` decides, just before the rename, whether it still should. */
export function writeCheckpointBehind(dir: string, key: Buffer, head: ChainHead, claim: () => boolean): Promise<boolean> {
  return writeFileAtomicBehind(dir, CHECKPOINT_FILE, signedText(key, CHECKPOINT_FILE, head), claim);
}

function signedText(key: Buffer, file: SignedFile, head: ChainHead): string {
  const body = { v: 1 as const, ...head, mac: MACS[file](key, head) };
  return `${JSON.stringify(body)}\n`;
}

function writeSigned(dir: string, key: Buffer, file: SignedFile, head: ChainHead): void {
  writeFileAtomic(dir, file, signedText(key, file, head));
}
