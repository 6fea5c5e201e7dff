/**
 * Characters that let untrusted text fake lines or reorder what a person reads: C0/C1 controls, the Arabic
 * letter mark, zero-width characters and bidi marks/overrides/isolates, line/paragraph separators, BOM.
 * One definition for every place that shows or accepts text from agents and pages.
 */
const UNSAFE = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff';
const UNSAFE_ONE = new RegExp(`[${UNSAFE}]`);
const UNSAFE_ALL = new RegExp(`[${UNSAFE}]`, 'g');

export const hasUnsafeText = (text: string): boolean => UNSAFE_ONE.test(text);

/** Replaces each unsafe character with U+FFFD, so it shows as a visible mark and does nothing. */
export const neutraliseUnsafeText = (text: string): string => text.replace(UNSAFE_ALL, '\uFFFD');
