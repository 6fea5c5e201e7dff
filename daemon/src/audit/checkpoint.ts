import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { headMac, sameMac, type ChainHead } from './chain.js';
import { writeFileAtomic } from './key.js';

export const CHECKPOINT_FILE = 'audit.head';

const checkpointFile = z.object({
  v: z.literal(1),
  last_id: z.number().int().nonnegative(),
  last_mac: z.string().regex(/^[0-9a-f]{64}$/),
  count: z.number().int().nonnegative(),
  legacy_rows: z.number().int().nonnegative(),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

export type CheckpointRead = { kind: 'none' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; head: ChainHead };

/** The signed head checkpoint kept beside the key, outside the data directory. */
export function readCheckpoint(dir: string, key: Buffer): CheckpointRead {
  let text: string;
  try {
    text = readFileSync(join(dir, CHECKPOINT_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'invalid', reason: `cannot read ${CHECKPOINT_FILE}: ${(e as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: `${CHECKPOINT_FILE} is not JSON` };
  }
  const parsed = checkpointFile.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', reason: `${CHECKPOINT_FILE} is not a Mandate head checkpoint` };
  const { v: _v, mac, ...head } = parsed.data;
  if (!sameMac(mac, headMac(key, head))) return { kind: 'invalid', reason: `${CHECKPOINT_FILE} does not carry a valid MAC for this key` };
  return { kind: 'ok', head };
}

export function writeCheckpoint(dir: string, key: Buffer, head: ChainHead): void {
  const body = { v: 1 as const, ...head, mac: headMac(key, head) };
  writeFileAtomic(dir, CHECKPOINT_FILE, `${JSON.stringify(body)}\n`);
}
