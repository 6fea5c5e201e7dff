import { randomBytes, createHash } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const AUDIT_KEY_FILE = 'audit.key';

/** The audit key is unreadable or malformed: a start-up failure the person must look at. */
export class AuditKeyError extends Error {
  override name = 'AuditKeyError';
  readonly code = 'ERR_AUDIT_KEY';
}

/**
 * The key directory of one data directory: `<key root>/trail-<first 16 hex of sha256(absolute data dir)>`, so
 * several data directories (tests, --home) never share a key or a head checkpoint.
 */
export function trailKeyDir(keyRoot: string, home: string): string {
  return join(keyRoot, `trail-${createHash('sha256').update(resolve(home)).digest('hex').slice(0, 16)}`);
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `content` to `dir/name` atomically and durably: temp file (0600) + fsync + rename + fsync of the directory. */
export function writeFileAtomic(dir: string, name: string, content: string): void {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  fsyncDir(dir);
}

/**
 * `writeFileAtomic` off the event loop: the temp file (its own name, so a synchronous write cannot clobber it) is
 * written and fsynced in the thread pool; then, in one synchronous step, `claim()` decides whether it should
 * still replace `dir/name` (a newer synchronous write may have happened meanwhile) and the rename is done or the
 * temp file removed; the directory fsync follows. Resolves true when the file was replaced.
 */
export async function writeFileAtomicBehind(dir: string, name: string, content: string, claim: () => boolean): Promise<boolean> {
  // node:fs/promises loads with the first write behind, not at start: importing it took the start about 2 ms
  // (it brings readline with it; bench/README.md, "Schemas built when first parsed"). Taken with
  // process.getBuiltinModule, not import(): the bundle runs in a vm.Script, which has no dynamic import
  // (scripts/bundle-daemon.ts)
  const { open } = process.getBuiltinModule('node:fs/promises');
  const tmp = join(dir, `.${name}.${process.pid}.behind.tmp`);
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
  if (!claim()) {
    rmSync(tmp, { force: true });
    return false;
  }
  renameSync(tmp, join(dir, name));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
  return true;
}

/**
 * Removes temp files a stopped process left behind in `dir` (a crash between a temp write and its rename):
 * `.<name>.<pid>.tmp` and `.<name>.<pid>.behind.tmp` for the given names. Only the daemon that owns the data
 * directory calls this, at start, so no other writer is using them.
 */
export function removeStaleTemps(dir: string, names: readonly string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const f of entries) {
    if (names.some((n) => f.startsWith(`.${n}.`)) && /\.\d+(\.behind)?\.tmp$/.test(f)) rmSync(join(dir, f), { force: true });
  }
}

/** The 256-bit audit key of a trail, or undefined when none was made yet. */
export function readAuditKey(dir: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, AUDIT_KEY_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AuditKeyError(`cannot read the audit key in ${dir}: ${(e as Error).message}`);
  }
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length !== 32) throw new AuditKeyError(`${join(dir, AUDIT_KEY_FILE)} is not a Mandate audit key (32 bytes, base64url)`);
  return key;
}

/** Makes a fresh random key (0600, in a 0700 directory), durably. */
export function createAuditKey(dir: string): Buffer {
  const key = randomBytes(32);
  try {
    ensurePrivateDir(dir);
    writeFileAtomic(dir, AUDIT_KEY_FILE, `${key.toString('base64url')}\n`);
  } catch (e) {
    throw new AuditKeyError(`cannot create the audit key in ${dir}: ${(e as Error).message}; set MANDATE_KEY_DIR to a private directory Mandate may write`);
  }
  return key;
}
