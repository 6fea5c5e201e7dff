import type { Plugin } from 'vite';

/**
 * zod compiles fast validators with `new Function` unless told not to. Extension pages run under a CSP that
 * forbids eval, Firefox's add-on linter rejects any `Function` constructor in the bundle, and the extension
 * sets zod's `jitless` (extension/src/lib/zod-jitless.ts). This makes the bundle agree: zod's `Function`
 * references become a constructor that throws, so no code generation can exist in what ships.
 */
export function noEval(): Plugin {
  return {
    name: 'mandate-no-eval',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]zod[\\/]/.test(id) || !code.includes('const F = Function;')) return null;
      return {
        code: code.replaceAll(
          'const F = Function;',
          'const F = function codeGenerationDisabled() { throw new Error("code generation is disabled in Mandate\'s extension"); };',
        ),
        map: null,
      };
    },
  };
}
