/**
 * `npm run shared-imports`: rewrites every relative import of shared/src from outside it
 * (`../../../shared/src/x.js`) to the package import `#shared/x.js` (package.json "imports"; see
 * scripts/source-condition.ts). Re-runnable: files already rewritten are left as they are, so it can run again
 * after other branches are merged. `--check` changes nothing and exits 1 listing the files it would change.
 * Imports inside shared/src stay relative, and so does anything in a separate package (examples/consent-tests).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SHARED = join(ROOT, 'shared', 'src');
const AREAS = ['daemon', 'extension', 'kits', 'e2e', 'examples', 'bench', 'scripts', 'shared/test'];
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

function main(): number {
  const check = process.argv.includes('--check');
  const changed: string[] = [];
  for (const area of AREAS) {
    for (const file of sourceFiles(join(ROOT, area))) {
      const before = readFileSync(file, 'utf8');
      const after = rewrite(file, before);
      if (after === before) continue;
      changed.push(relative(ROOT, file));
      if (!check) writeFileSync(file, after);
    }
  }
  if (check && changed.length > 0) {
    console.error(`${changed.length} file(s) import shared/src by a relative path; run npm run shared-imports:\n${changed.join('\n')}`);
    return 1;
  }
  console.log(check ? 'Every shared/src import uses #shared/*.' : `Rewrote ${changed.length} file(s).`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) process.exitCode = main();
