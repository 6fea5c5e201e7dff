/**
 * `npm run shared-imports`: rewrites every relative import of shared/src from outside it
 * (`../../../shared/src/x.js`) to the package import `#shared/x.js` (package.json "imports"; see
 * scripts/source-condition.ts). Re-runnable: files already rewritten are left as they are, so it can run again
 * after other branches are merged. It also adds `--conditions=mandate-source` to npm scripts that run tsx.
 * `--check` changes nothing and exits 1 listing the files it would change.
 * Imports inside shared (src and test) stay relative, and so does anything in a separate package (examples/consent-tests).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SHARED = join(ROOT, 'shared', 'src');
const AREAS = ['daemon', 'extension', 'kits', 'e2e', 'examples', 'bench', 'scripts'];
const SKIP = new Set(['node_modules', 'dist', 'test-results', 'consent-tests']);
const SOURCE = /\.(ts|mts|cts|tsx)$/;
/** A quoted module specifier after `from`, a bare `import`, `import(` or `vi.mock(` / `vi.importActual(`. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*|\bvi\.(?:mock|doMock|importActual)\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g;

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (SOURCE.test(entry.name)) yield path;
  }
}

/** The `#shared/…` form of a relative specifier in `file`, when it names a .js module under shared/src. */
export function sharedSpecifier(file: string, specifier: string): string | undefined {
  const target = resolve(dirname(file), specifier);
  const inside = relative(SHARED, target);
  if (inside.startsWith('..') || inside === '' || !inside.endsWith('.js')) return undefined;
  return `#shared/${inside.split(sep).join('/')}`;
}

export function rewrite(file: string, text: string): string {
  if (!relative(SHARED, file).startsWith('..')) return text; // shared/src itself keeps its relative imports
  return text.replace(SPECIFIER, (whole, lead: string, quote: string, specifier: string) => {
    const shared = sharedSpecifier(file, specifier);
    return shared ? `${lead}${quote}${shared}${quote}` : whole;
  });
}

/** npm scripts that run TypeScript sources through tsx must resolve `#shared/*` to them, not to dist/. */
export function rewriteScripts(packageJson: string): string {
  return packageJson.replace(/node --import tsx/g, 'node --conditions=mandate-source --import tsx');
}

/** Every file that still needs the rewrite, with its new text (repository-relative paths). */
export function pendingRewrites(): { path: string; text: string }[] {
  const pending: { path: string; text: string }[] = [];
  for (const area of AREAS) {
    for (const file of sourceFiles(join(ROOT, area))) {
      const before = readFileSync(file, 'utf8');
      const after = rewrite(file, before);
      if (after !== before) pending.push({ path: relative(ROOT, file), text: after });
    }
  }
  const pkg = readFileSync(join(ROOT, 'package.json'), 'utf8');
  if (rewriteScripts(pkg) !== pkg) pending.push({ path: 'package.json', text: rewriteScripts(pkg) });
  return pending;
}

function main(): number {
  const pending = pendingRewrites();
  if (process.argv.includes('--check')) {
    if (pending.length === 0) {
      console.log('Every shared/src import uses #shared/*.');
      return 0;
    }
    console.error(
      `${pending.length} file(s) still import shared/src by a relative path (or run tsx without the source condition); run npm run shared-imports:`,
    );
    console.error(pending.map((p) => p.path).join('\n'));
    return 1;
  }
  for (const p of pending) writeFileSync(join(ROOT, p.path), p.text);
  console.log(`Rewrote ${pending.length} file(s).`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) process.exitCode = main();
