/**
 * The key that signs the CRX, and so decides its extension id: `--key <pem>`, else `MANDATE_CRX_KEY` (a
 * PEM file's path, or the PEM itself, e.g. from a CI secret), else a key generated once next to the output.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GENERATED_KEY_FILE = 'mandate-crx-key.pem';

export interface SigningKey {
  key: KeyObject;
  /** Where it came from, for the report. */
  source: string;
  /** Set when no key was given: a release needs a stable key, and this one only lives in the output folder. */
  warning?: string;
}

function parse(pem: string, source: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new Error(`${source} is not a PEM private key (${(e as Error).message})`);
  }
}

export function signingKey(opts: { keyFile?: string | undefined; env?: string | undefined; outDir: string }): SigningKey {
  if (opts.keyFile) return { key: parse(readFileSync(opts.keyFile, 'utf8'), opts.keyFile), source: opts.keyFile };
  if (opts.env) {
    if (opts.env.trimStart().startsWith('-----BEGIN')) return { key: parse(opts.env, 'MANDATE_CRX_KEY'), source: 'MANDATE_CRX_KEY (PEM)' };
    return { key: parse(readFileSync(opts.env, 'utf8'), `MANDATE_CRX_KEY=${opts.env}`), source: opts.env };
  }
  const file = join(opts.outDir, GENERATED_KEY_FILE);
  const warning =
    `no signing key given (--key <pem> or MANDATE_CRX_KEY), so the CRX is signed with ${file}. ` +
    'The extension id comes from the signing key: a release needs one stable key, kept secret and used for every version, ' +
    'or browsers treat each release as a different extension. Do not publish this file.';
  if (existsSync(file)) return { key: parse(readFileSync(file, 'utf8'), file), source: `${file} (generated earlier)`, warning };
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  mkdirSync(opts.outDir, { recursive: true });
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { key: privateKey, source: `${file} (generated now)`, warning };
}
