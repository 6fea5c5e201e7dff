import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXTENSION_KEY, extensionManifest } from '../../../extension/manifest.config.js';
import { extensionId, writeCrx3 } from '../crx3.js';
import { packChrome, packFirefox, writeChecksums } from '../release.js';
import { GENERATED_KEY_FILE, signingKey } from '../signing-key.js';
import { updateUrlsFrom } from '../update-urls.js';
import { writeZip } from '../zip.js';
import { readZip } from './zip-reader.js';

const work = mkdtempSync(join(tmpdir(), 'mandate-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/** A built extension folder, with the things a release must leave out. */
function fixture(manifest: Record<string, unknown>): string {
  const dir = mkdtempSync(join(work, 'ext-'));
  mkdirSync(join(dir, 'assets'));
  mkdirSync(join(dir, 'icons'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'assets', 'app.js'), `console.log(${JSON.stringify('x'.repeat(500))});\n//# sourceMappingURL=app.js.map\n`);
  writeFileSync(join(dir, 'assets', 'app.js.map'), '{"version":3}');
  writeFileSync(join(dir, 'icons', 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  return dir;
}

/** Reads a protobuf message of length-delimited fields (all CRX3 uses): field number → values. */
function protobuf(buf: Buffer): Map<number, Buffer[]> {
  const fields = new Map<number, Buffer[]>();
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      const byte = buf[at++]!;
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < buf.length) {
    const tag = varint();
    expect(tag % 8).toBe(2);
    const length = varint();
    fields.set(Math.floor(tag / 8), [...(fields.get(Math.floor(tag / 8)) ?? []), buf.subarray(at, at + length)]);
    at += length;
  }
  return fields;
}

/** Parses a CRX3 as Chrome does and checks its signature; returns the key, the id bytes and the zip. */
function openCrx(crx: Buffer) {
  expect(crx.subarray(0, 4).toString('latin1')).toBe('Cr24');
  expect(crx.readUInt32LE(4)).toBe(3);
  const headerLength = crx.readUInt32LE(8);
  const header = protobuf(crx.subarray(12, 12 + headerLength));
  const archive = crx.subarray(12 + headerLength);
  const signedData = header.get(10000)![0]!;
  const proofs = [...(header.get(2) ?? []), ...(header.get(3) ?? [])].map(protobuf);
  expect(proofs).toHaveLength(1);
  const publicKey = proofs[0]!.get(1)![0]!;
  const signature = proofs[0]!.get(2)![0]!;
  const length = Buffer.alloc(4);
  length.writeUInt32LE(signedData.length);
  const message = Buffer.concat([Buffer.from('CRX3 SignedData\x00', 'latin1'), length, signedData, archive]);
  const verifies = (zip: Buffer) =>
    verify(
      'sha256',
      Buffer.concat([message.subarray(0, message.length - archive.length), zip]),
      createPublicKey({ key: publicKey, format: 'der', type: 'spki' }),
      signature,
    );
  return { header, publicKey, crxId: protobuf(signedData).get(1)![0]!, archive, verifies };
}

describe('zip writer', () => {
  it('writes an archive an independent reader opens: names, bytes, deflate where it pays, store otherwise', () => {
    const random = createHash('sha512').update('seed').digest();
    const zip = writeZip([
      { name: 'manifest.json', data: Buffer.from('{"manifest_version":3}') },
      { name: 'src/deep/page.html', data: Buffer.from('<p>hello</p>'.repeat(100)) },
      { name: 'icons/random.bin', data: random },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ]);
    const entries = readZip(zip);
    expect(entries.map((e) => e.name)).toEqual(['manifest.json', 'src/deep/page.html', 'icons/random.bin', 'empty.txt']);
    expect(entries[1]!.method).toBe(8);
    expect(entries[1]!.data.toString()).toBe('<p>hello</p>'.repeat(100));
    expect(entries[2]!.method).toBe(0);
    expect(entries[2]!.data.equals(random)).toBe(true);
    expect(entries[3]!.data.length).toBe(0);
    // reproducible: the same files give the same bytes
    expect(writeZip([{ name: 'a', data: Buffer.from('a') }]).equals(writeZip([{ name: 'a', data: Buffer.from('a') }]))).toBe(true);
  });

  it('refuses names that would escape or confuse the archive', () => {
    for (const name of ['../evil', '/abs', 'a\\b', 'a//b', './a', ''])
      expect(() => writeZip([{ name, data: Buffer.alloc(1) }]), name).toThrow(/invalid entry name/);
    expect(() =>
      writeZip([
        { name: 'a', data: Buffer.alloc(1) },
        { name: 'a', data: Buffer.alloc(1) },
      ]),
    ).toThrow(/duplicate/);
  });
});

describe('CRX3', () => {
  it("computes Chrome's extension id from a public key (the committed manifest key gives the documented id)", () => {
    expect(extensionId(Buffer.from(EXTENSION_KEY, 'base64'))).toBe('ffgkmgaanieiccjamnkagikpfjiadigm');
  });

  it('signs with RSA: the header parses, carries the public key and the crx id, and the signature verifies over the zip', () => {
    const key = rsa();
    const zip = writeZip([{ name: 'manifest.json', data: Buffer.from('{}') }]);
    const crx = openCrx(writeCrx3(zip, key));
    expect(crx.header.has(2)).toBe(true);
    expect(crx.publicKey.equals(createPublicKey(key).export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(crx.crxId.equals(createHash('sha256').update(crx.publicKey).digest().subarray(0, 16))).toBe(true);
    expect(crx.archive.equals(zip)).toBe(true);
    expect(crx.verifies(crx.archive)).toBe(true);
    const tampered = Buffer.from(crx.archive);
    tampered[tampered.length - 1]! ^= 1;
    expect(crx.verifies(tampered)).toBe(false);
  });

  it('signs with P-256 as sha256_with_ecdsa', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const crx = openCrx(writeCrx3(writeZip([{ name: 'manifest.json', data: Buffer.from('{}') }]), key));
    expect(crx.header.has(3)).toBe(true);
    expect(crx.verifies(crx.archive)).toBe(true);
  });

  it('refuses a key Chrome cannot verify', () => {
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(() => writeCrx3(Buffer.alloc(0), ed)).toThrow(/RSA or P-256/);
  });
});

describe('release packages', () => {
  const manifest = { manifest_version: 3, name: 'Mandate', version: '1.2.3', key: EXTENSION_KEY, update_url: 'https://updates.example.org/mandate/update.xml' };

  it('Chrome: a store zip without key, update_url or source maps; a CRX that keeps update_url; update.xml naming its id, version and codebase', () => {
    const out = join(work, 'chrome');
    const key = rsa();
    const release = packChrome({ source: fixture(manifest), outDir: out, key });

    const store = readZip(readFileSync(release.storeZip.path));
    expect(basename(release.storeZip.path)).toBe('mandate-1.2.3-chrome-web-store.zip');
    expect(store.map((e) => e.name)).toEqual(['assets/app.js', 'icons/icon.png', 'manifest.json']);
    const storeManifest = JSON.parse(store.find((e) => e.name === 'manifest.json')!.data.toString()) as Record<string, unknown>;
    expect(storeManifest).toEqual({ manifest_version: 3, name: 'Mandate', version: '1.2.3' });
    expect(store.find((e) => e.name === 'assets/app.js')!.data.toString()).not.toContain('sourceMappingURL');

    const crx = openCrx(readFileSync(release.crx.path));
    expect(crx.verifies(crx.archive)).toBe(true);
    const inCrx = readZip(crx.archive);
    const crxManifest = JSON.parse(inCrx.find((e) => e.name === 'manifest.json')!.data.toString()) as Record<string, unknown>;
    expect(crxManifest).toEqual({ manifest_version: 3, name: 'Mandate', version: '1.2.3', update_url: manifest.update_url });
    const id = [...createHash('sha256').update(crx.publicKey).digest('hex').slice(0, 32)].map((c) => 'abcdefghijklmnop'[Number.parseInt(c, 16)]).join('');
    expect(release.id).toBe(id);
    expect(release.manifestKeyId).toBe('ffgkmgaanieiccjamnkagikpfjiadigm');
    expect(release.notes.join('\n')).toContain(`policies (ExtensionSettings, 3rdparty) must name ${id}`);

    const xml = readFileSync(release.updateXml.path, 'utf8');
    expect(xml).toContain("<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>");
    expect(xml).toContain(`<app appid='${id}'>`);
    expect(xml).toContain("<updatecheck codebase='https://updates.example.org/mandate/mandate-1.2.3.crx' version='1.2.3' />");
  });

  it('Chrome: --crx-url sets the codebase; without it or an update_url, update.xml says it holds a placeholder', () => {
    const source = fixture({ manifest_version: 3, name: 'Mandate', version: '1.2.3' });
    const given = packChrome({ source, outDir: join(work, 'crx-url'), key: rsa(), crxUrl: 'https://cdn.example.org/m.crx' });
    expect(readFileSync(given.updateXml.path, 'utf8')).toContain("codebase='https://cdn.example.org/m.crx'");
    const placeholder = packChrome({ source, outDir: join(work, 'placeholder'), key: rsa() });
    expect(placeholder.codebase).toBe('https://mandate.example.com/mandate-1.2.3.crx');
    expect(placeholder.notes.join('\n')).toContain('a placeholder: pass --crx-url');
  });

  it('Firefox: the folder as is, manifest at the root, no source maps; SHA256SUMS lists every output', () => {
    const out = join(work, 'firefox');
    const ff = packFirefox({
      source: fixture({ manifest_version: 3, name: 'Mandate', version: '1.2.3', browser_specific_settings: { gecko: { id: 'mandate@mandate.dev' } } }),
      outDir: out,
    });
    const entries = readZip(readFileSync(ff.zip.path));
    expect(entries.map((e) => e.name)).toEqual(['assets/app.js', 'icons/icon.png', 'manifest.json']);
    expect(ff.notes).toEqual([]);
    const sums = writeChecksums(out, [ff.zip]);
    expect(readFileSync(sums.path, 'utf8')).toBe(`${createHash('sha256').update(readFileSync(ff.zip.path)).digest('hex')}  mandate-1.2.3-firefox.zip\n`);
  });

  it('refuses a folder without a manifest', () => {
    const empty = mkdtempSync(join(work, 'empty-'));
    expect(() => packFirefox({ source: empty, outDir: join(work, 'none') })).toThrow(/no manifest.json: build the extension first/);
  });
});

describe('signing key', () => {
  it('without --key or MANDATE_CRX_KEY, generates one next to the output (owner-only), warns, and reuses it', () => {
    const out = join(work, 'keys');
    const first = signingKey({ outDir: out });
    expect(first.warning).toMatch(/a release needs one stable key/);
    expect(statSync(join(out, GENERATED_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = signingKey({ outDir: out });
    expect(extensionId(second.key)).toBe(extensionId(first.key));
  });

  it('takes a PEM file or PEM text, and says which when it is not a key', () => {
    const pem = rsa().export({ type: 'pkcs8', format: 'pem' }) as string;
    const file = join(work, 'given.pem');
    writeFileSync(file, pem);
    const id = extensionId(createPrivateKey(pem));
    expect(extensionId(signingKey({ keyFile: file, outDir: work }).key)).toBe(id);
    expect(extensionId(signingKey({ env: pem, outDir: work }).key)).toBe(id);
    expect(extensionId(signingKey({ env: file, outDir: work }).key)).toBe(id);
    expect(signingKey({ env: pem, outDir: work }).warning).toBeUndefined();
    writeFileSync(join(work, 'junk.pem'), 'not a key');
    expect(() => signingKey({ keyFile: join(work, 'junk.pem'), outDir: work })).toThrow(/junk.pem is not a PEM private key/);
  });
});

describe('build-time update URLs', () => {
  it('accepts https, and http on loopback only; absent or empty means none', () => {
    expect(updateUrlsFrom({})).toEqual({});
    expect(updateUrlsFrom({ MANDATE_UPDATE_URL: '', MANDATE_GECKO_UPDATE_URL: '' })).toEqual({});
    expect(
      updateUrlsFrom({ MANDATE_UPDATE_URL: 'https://mandate.example.com/update.xml', MANDATE_GECKO_UPDATE_URL: 'http://127.0.0.1:8080/updates.json' }),
    ).toEqual({
      chrome: 'https://mandate.example.com/update.xml',
      gecko: 'http://127.0.0.1:8080/updates.json',
    });
    for (const [value, why] of [
      ['http://mandate.example.com/update.xml', /must be an https:\/\/ URL/],
      ['ftp://127.0.0.1/update.xml', /must be an https:\/\/ URL/],
      ['update.xml', /not an absolute URL/],
      ['https://user:pw@mandate.example.com/u.xml', /credentials/],
      ['https://mandate.example.com/u.xml#x', /fragment/],
    ] as const) {
      expect(() => updateUrlsFrom({ MANDATE_UPDATE_URL: value }), value).toThrow(why);
      expect(() => updateUrlsFrom({ MANDATE_GECKO_UPDATE_URL: value }), value).toThrow(/^MANDATE_GECKO_UPDATE_URL=/);
    }
  });

  it('an invalid one fails the extension build with a message naming the variable', () => {
    const root = resolve(import.meta.dirname, '../../..');
    const build = spawnSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', join(work, 'never-built')], {
      cwd: root,
      env: { ...process.env, MANDATE_UPDATE_URL: 'http://mandate.example.com/update.xml' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(build.status).not.toBe(0);
    expect(build.stderr).toContain('MANDATE_UPDATE_URL="http://mandate.example.com/update.xml" must be an https:// URL');
  });

  it('the manifest carries update_url only when one is set: Chrome at the top level, Firefox under gecko', async () => {
    const build = async (mode: string, urls: Parameters<typeof extensionManifest>[0]) => {
      const define = extensionManifest(urls);
      if (typeof define !== 'function') throw new Error('expected a manifest function');
      return (await define({ mode, command: 'build' })) as { update_url?: string; browser_specific_settings?: { gecko: { update_url?: string } } };
    };
    expect((await build('production', {})).update_url).toBeUndefined();
    expect((await build('firefox', {})).browser_specific_settings?.gecko.update_url).toBeUndefined();
    const urls = { chrome: 'https://u.example/update.xml', gecko: 'https://u.example/updates.json' };
    expect((await build('production', urls)).update_url).toBe(urls.chrome);
    const firefox = await build('firefox', urls);
    expect(firefox.update_url).toBeUndefined();
    expect(firefox.browser_specific_settings?.gecko.update_url).toBe(urls.gecko);
  });
});
