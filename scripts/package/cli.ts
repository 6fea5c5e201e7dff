/**
 * `npm run package` (after `npm run build:extension`): writes the release packages into release/ and
 * prints what it wrote and the CRX's extension id. Options:
 *   --key <pem>       the CRX signing key (else MANDATE_CRX_KEY: a PEM path or the PEM; else one generated in the output folder)
 *   --out <dir>       output folder (default release/)
 *   --crx-url <url>   where the CRX will be served, for update.xml (default: beside MANDATE_UPDATE_URL's update.xml)
 *   --chrome <dir>, --firefox <dir>   the built extensions (default dist/extension, dist/extension-firefox)
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packChrome, packFirefox, type Written, writeChecksums } from './release.js';
import { signingKey } from './signing-key.js';
import { updateUrl } from './update-urls.js';

const ROOT = resolve(import.meta.dirname, '../..');

function main(): void {
  const { values } = parseArgs({
    options: {
      key: { type: 'string' },
      out: { type: 'string', default: resolve(ROOT, 'release') },
      'crx-url': { type: 'string' },
      chrome: { type: 'string', default: resolve(ROOT, 'dist/extension') },
      firefox: { type: 'string', default: resolve(ROOT, 'dist/extension-firefox') },
    },
    strict: true,
  });
  const outDir = resolve(values.out);
  const crxUrl = updateUrl('--crx-url', values['crx-url']);
  const signing = signingKey({ keyFile: values.key, env: process.env.MANDATE_CRX_KEY, outDir });
  const chrome = packChrome({ source: resolve(values.chrome), outDir, key: signing.key, crxUrl });
  const firefox = packFirefox({ source: resolve(values.firefox), outDir });
  const files = [chrome.storeZip, chrome.crx, chrome.updateXml, firefox.zip];
  const sums = writeChecksums(outDir, files);

  const shown = (path: string) => (path.startsWith(`${process.cwd()}/`) ? relative(process.cwd(), path) : path);
  const show = (what: string, f: Written) => `  ${what.padEnd(22)}${shown(f.path).padEnd(44)} ${String(f.bytes).padStart(8)} bytes  sha256 ${f.sha256}`;
  console.log(`Mandate ${chrome.version} release packages in ${shown(outDir)}`);
  console.log(show('Chrome Web Store zip', chrome.storeZip));
  console.log(show('CRX3 (signed)', chrome.crx));
  console.log(show('update.xml', chrome.updateXml));
  console.log(show('Firefox zip (AMO)', firefox.zip));
  console.log(show('checksums', sums));
  console.log(`  CRX extension id      ${chrome.id}`);
  console.log(`  CRX signing key       ${signing.source}`);
  console.log(`  update.xml codebase   ${chrome.codebase}`);
  console.log(`  Chrome update_url     ${chrome.updateUrl ?? 'none (set MANDATE_UPDATE_URL at build time to build one in)'}`);
  console.log(`  Firefox update_url    ${firefox.updateUrl ?? 'none (set MANDATE_GECKO_UPDATE_URL at build time to build one in)'}`);
  for (const note of [...chrome.notes, ...firefox.notes]) console.log(`  note: ${note}`);
  if (signing.warning) console.warn(`\nWARNING: ${signing.warning}`);
}

try {
  main();
} catch (e) {
  console.error(`mandate package: ${(e as Error).message}`);
  process.exitCode = 1;
}
