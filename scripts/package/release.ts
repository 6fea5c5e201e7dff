/**
 * Release packages from the built extension (docs: README "Release", docs/enterprise.md):
 * - the Chrome Web Store zip of dist/extension: manifest at the root, no `key`, no `update_url`, no source maps;
 * - a signed CRX3 of it with its update.xml, for self-hosting and force-install;
 * - the Firefox zip of dist/extension-firefox, ready for addons.mozilla.org (`web-ext sign`);
 * - SHA256SUMS over all of them (`sha256sum -c SHA256SUMS`).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { extensionId, writeCrx3 } from './crx3.js';
import { updateManifest } from './update-manifest.js';
import { writeZip, type ZipEntry } from './zip.js';

type Manifest = Record<string, unknown> & { version?: unknown; key?: unknown; update_url?: unknown };

export const CHECKSUMS_FILE = 'SHA256SUMS';
/** Where update.xml points when neither --crx-url nor a built-in update_url says where the CRX will live. */
export const PLACEHOLDER_HOST = 'https://mandate.example.com/';

/** Every file under `dir` as zip entries, sorted, without source maps; manifest.json must be at the root. */
export function extensionFiles(dir: string): ZipEntry[] {
  const entries = (readdirSync(dir, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
    .filter((e) => e.isFile() && !e.name.endsWith('.map'))
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { name: relative(dir, path).split(sep).join('/'), data: stripSourceMapComment(e.name, readFileSync(path)) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!entries.some((e) => e.name === 'manifest.json')) throw new Error(`${dir} has no manifest.json: build the extension first (npm run build:extension)`);
  return entries;
}

/** A `//# sourceMappingURL=` line would point at a map the package does not carry. */
function stripSourceMapComment(name: string, data: Buffer): Buffer {
  if (!/\.(js|css)$/.test(name)) return data;
  const text = data.toString('utf8');
  const stripped = text.replace(/\n?(\/\/# sourceMappingURL=[^\n]*|\/\*# sourceMappingURL=[^\n]*?\*\/)\s*$/, '\n');
  return stripped === text ? data : Buffer.from(stripped, 'utf8');
}

export function manifestOf(entries: readonly ZipEntry[]): Manifest {
  const entry = entries.find((e) => e.name === 'manifest.json');
  const manifest = entry ? (JSON.parse(entry.data.toString('utf8')) as unknown) : undefined;
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) throw new Error('manifest.json is not a JSON object');
  if (typeof (manifest as Manifest).version !== 'string') throw new Error('manifest.json has no version');
  return manifest as Manifest;
}

function withManifest(entries: readonly ZipEntry[], manifest: Manifest): ZipEntry[] {
  return entries.map((e) => (e.name === 'manifest.json' ? { name: e.name, data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) } : e));
}

function without(manifest: Manifest, ...keys: string[]): Manifest {
  return Object.fromEntries(Object.entries(manifest).filter(([k]) => !keys.includes(k)));
}

export interface Written {
  path: string;
  sha256: string;
  bytes: number;
}

function write(path: string, data: Buffer | string): Written {
  writeFileSync(path, data);
  const bytes = Buffer.from(data);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

export interface ChromeRelease {
  storeZip: Written;
  crx: Written;
  updateXml: Written;
  /** The CRX's extension id (from the signing key). */
  id: string;
  /** The id the manifest's public `key` fixes for unpacked builds, when it differs from the CRX's. */
  manifestKeyId?: string;
  version: string;
  codebase: string;
  /** The update URL built into the CRX's manifest (MANDATE_UPDATE_URL at build time), if any. */
  updateUrl?: string;
  notes: string[];
}

/** The store zip, the CRX and its update.xml from a built Chrome extension folder. */
export function packChrome(opts: { source: string; outDir: string; key: KeyObject; crxUrl?: string | undefined }): ChromeRelease {
  const entries = extensionFiles(opts.source);
  const manifest = manifestOf(entries);
  const version = String(manifest.version);
  const notes: string[] = [];
  mkdirSync(opts.outDir, { recursive: true });

  // The store assigns the id and serves the updates itself: it rejects a manifest `key` and has no use for update_url.
  const storeZip = write(join(opts.outDir, `mandate-${version}-chrome-web-store.zip`), writeZip(withManifest(entries, without(manifest, 'key', 'update_url'))));
  if (manifest.update_url !== undefined) notes.push(`the Chrome Web Store zip leaves out update_url (${String(manifest.update_url)}); the CRX keeps it`);

  // In a CRX the signing key decides the id (Chrome takes the key from the CRX header), so the manifest `key` is left out.
  const crxBytes = writeCrx3(writeZip(withManifest(entries, without(manifest, 'key'))), opts.key);
  const crxName = `mandate-${version}.crx`;
  const crx = write(join(opts.outDir, crxName), crxBytes);
  const id = extensionId(opts.key);
  const manifestKeyId = typeof manifest.key === 'string' ? extensionId(Buffer.from(manifest.key, 'base64')) : undefined;
  if (manifestKeyId !== undefined && manifestKeyId !== id) {
    notes.push(
      `the CRX's id ${id} is not ${manifestKeyId}, the id the manifest key gives unpacked builds: policies (ExtensionSettings, 3rdparty) must name ${id}. ` +
        'Sign with the private half of the manifest key to keep one id everywhere (docs/enterprise.md).',
    );
  }

  const updateUrl = typeof manifest.update_url === 'string' ? manifest.update_url : undefined;
  let codebase: string;
  if (opts.crxUrl) codebase = new URL(opts.crxUrl).href;
  else if (updateUrl) codebase = new URL(crxName, updateUrl).href;
  else {
    codebase = new URL(crxName, PLACEHOLDER_HOST).href;
    notes.push(
      `update.xml says the CRX is at ${codebase}, a placeholder: pass --crx-url <https URL of ${crxName}>, or build with MANDATE_UPDATE_URL so the CRX sits beside update.xml`,
    );
  }
  const updateXml = write(join(opts.outDir, 'update.xml'), updateManifest({ id, version, codebase }));
  return {
    storeZip,
    crx,
    updateXml,
    id,
    ...(manifestKeyId !== undefined && manifestKeyId !== id ? { manifestKeyId } : {}),
    version,
    codebase,
    ...(updateUrl ? { updateUrl } : {}),
    notes,
  };
}

export interface FirefoxRelease {
  zip: Written;
  version: string;
  /** browser_specific_settings.gecko.update_url (MANDATE_GECKO_UPDATE_URL at build time), if any. */
  updateUrl?: string;
  notes: string[];
}

/** The Firefox zip (manifest at the root) from a built Firefox extension folder: what `web-ext sign` or AMO's upload takes. */
export function packFirefox(opts: { source: string; outDir: string }): FirefoxRelease {
  const entries = extensionFiles(opts.source);
  const manifest = manifestOf(entries);
  const version = String(manifest.version);
  mkdirSync(opts.outDir, { recursive: true });
  const zip = write(join(opts.outDir, `mandate-${version}-firefox.zip`), writeZip(entries));
  const gecko = (manifest.browser_specific_settings as { gecko?: { update_url?: unknown } } | undefined)?.gecko;
  const updateUrl = typeof gecko?.update_url === 'string' ? gecko.update_url : undefined;
  const notes = updateUrl
    ? [
        `the Firefox zip carries gecko.update_url ${updateUrl}: sign it for self-distribution (web-ext sign --channel=unlisted); AMO's listed channel refuses it`,
      ]
    : [];
  return { zip, version, ...(updateUrl ? { updateUrl } : {}), notes };
}

/** SHA256SUMS in sha256sum's format, names relative to the output folder. */
export function writeChecksums(outDir: string, files: readonly Written[]): Written {
  return write(join(outDir, CHECKSUMS_FILE), files.map((f) => `${f.sha256}  ${basename(f.path)}\n`).join(''));
}
