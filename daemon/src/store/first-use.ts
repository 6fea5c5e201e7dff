/**
 * `make()` run once, at the first call, and its result kept. A repository prepares its statements this way when some
 * are needed only by rarer paths: a repository is made in several places (the audit trail's is made six times before
 * the daemon is ready), and preparing every statement of each took the start several milliseconds (bench/README.md,
 * "Schemas built when first parsed").
 */
export function onFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
