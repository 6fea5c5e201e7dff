import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MandateError } from '#shared/errors.js';
import { parsePort } from '../config.js';

/** A mistake in how the CLI was called; printed with the command's help, exit code 2. */
export class UsageError extends MandateError {
  override name = 'UsageError';
  constructor(message: string) {
    super('usage', message);
  }
}

export const GLOBAL_OPTIONS = {
  home: { type: 'string' },
  port: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Strict parsing: unknown flags and missing values are usage errors, not silently ignored. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    throw new UsageError(e.message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

/** `--scope a --scope b` and `--scope "a b"` both mean [a, b]. */
export function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(/[\s,]+/)).filter((v) => v !== '');
}

/** A port from --port or MANDATE_PORT: a malformed one is a usage mistake (exit 2), never a silent default. */
export function portOption(value: string | undefined, name: string): number | undefined {
  try {
    return parsePort(value);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`${name}: ${e.message}`);
    throw e;
  }
}
