/**
 * Node module hooks that resolve `#shared/*` (package.json "imports") under the `mandate-source` condition, i.e.
 * to the TypeScript sources. For runners that start before any flag of ours can be set: Playwright loads its
 * config, then lists the test files in the same process (playwright.config.ts registers this). Everything else
 * passes `--conditions=mandate-source` (see scripts/source-condition.ts).
 */
const CONDITION = 'mandate-source';

export async function resolve(specifier, context, nextResolve) {
  if (!specifier.startsWith('#shared/') || context.conditions.includes(CONDITION)) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, CONDITION] });
}
