/** Turning any JSON value into labelled lines of text, verbatim and escaped by the shared text policy. */
import { showText } from '../text.js';

export interface DetailField {
  /** What the value is, in plain words for known fields; the key path verbatim (escaped) otherwise. */
  label: string;
  /** The value as a person reads it, already escaped by the text policy. */
  value: string;
}

type Obj = { [k: string]: unknown };
export const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One scalar as text: strings verbatim, everything else as its JSON spelling. */
export function scalarText(v: unknown): string {
  return typeof v === 'string' ? showText(v) : (JSON.stringify(v) ?? String(v));
}

/** Every leaf of `value` as a field; nested keys join with " › ", list items as "#n"; lists of scalars on one line. */
export function flatten(value: unknown, label: string, out: DetailField[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push({ label, value: '(empty list)' });
    else if (value.every((v) => !Array.isArray(v) && !isObject(v))) out.push({ label, value: value.map(scalarText).join(', ') });
    else
      value.forEach((v, i) => {
        flatten(v, `${label} #${i + 1}`, out);
      });
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) out.push({ label, value: '(empty)' });
    for (const k of keys) flatten(value[k], label ? `${label} › ${showText(k)}` : showText(k), out);
  } else out.push({ label, value: scalarText(value) });
}

/** A reader over one entry that remembers which keys were shown, so the rest can be listed verbatim. */
export function entryReader(entry: Obj) {
  const used = new Set<string>(['type']);
  const has = (k: string) => Object.hasOwn(entry, k);
  return {
    has,
    take(k: string): unknown {
      used.add(k);
      return has(k) ? entry[k] : undefined;
    },
    /** Keys nobody took, in order. */
    rest: (): [string, unknown][] =>
      Object.keys(entry)
        .filter((k) => !used.has(k))
        .map((k) => [k, entry[k]]),
  };
}
export type EntryReader = ReturnType<typeof entryReader>;
