import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pendingRewrites, rewrite, rewriteScripts } from '../../scripts/shared-imports.js';

const ROOT = resolve(import.meta.dirname, '../..');
const at = (path: string) => join(ROOT, path);

describe('npm run shared-imports', () => {
  const before = [
    "import { a } from '../../../shared/src/errors.js';",
    "import type { B } from '../../shared/src/authorization-details/model.js';",
    "export { c } from '../../../shared/src/text.js';",
    "const d = await import('../../../shared/src/oauth.js');",
    "vi.mock('../../../shared/src/policy.js', () => ({}));",
    "import './local.js';",
    "import { e } from '../lib/url.js';",
    "import data from '../../../shared/src/scopes/catalog.json' with { type: 'json' };",
  ].join('\n');

  it('rewrites every relative import of a shared/src module to #shared/*, and nothing else', () => {
    expect(rewrite(at('daemon/src/cli/x.ts'), before).split('\n')).toEqual([
      "import { a } from '#shared/errors.js';",
      "import type { B } from '../../shared/src/authorization-details/model.js';", // resolves to daemon/shared/src: not ours
      "export { c } from '#shared/text.js';",
      "const d = await import('#shared/oauth.js');",
      "vi.mock('#shared/policy.js', () => ({}));",
      "import './local.js';",
      "import { e } from '../lib/url.js';",
      "import data from '../../../shared/src/scopes/catalog.json' with { type: 'json' };",
    ]);
  });

  it('is idempotent, and leaves shared/src’s own relative imports alone', () => {
    const once = rewrite(at('extension/src/lib/x.ts'), before);
    expect(rewrite(at('extension/src/lib/x.ts'), once)).toBe(once);
    expect(rewrite(at('shared/src/scopes/x.ts'), "import { t } from '../text.js';")).toBe("import { t } from '../text.js';");
  });

  it('adds the source condition to npm scripts that run tsx, once', () => {
    const once = rewriteScripts('"x": "node --import tsx a.ts && node --import tsx b.ts"');
    expect(once).toBe('"x": "node --conditions=mandate-source --import tsx a.ts && node --conditions=mandate-source --import tsx b.ts"');
    expect(rewriteScripts(once)).toBe(once);
  });

  it('leaves nothing to rewrite in this repository', () => {
    expect(pendingRewrites().map((p) => p.path)).toEqual([]);
  });
});
