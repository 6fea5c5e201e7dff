import { describe, expect, it } from 'vitest';
import { MAX_MARK_RUN, MAX_SPACE_RUN, hasUnsafeText, showText, textProblem } from '../src/text.js';

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Every class the policy covers, with representative code points (ends of ranges included). */
const HIDDEN: Record<string, number[]> = {
  'C0 controls, newline and tab': [0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x1f],
  'DEL and C1 controls': [0x7f, 0x85, 0x9f],
  'soft hyphen': [0xad],
  'combining grapheme joiner': [0x34f],
  'Arabic letter mark and number signs': [0x61c, 0x600, 0x6dd],
  'Hangul fillers': [0x115f, 0x1160, 0x3164, 0xffa0],
  'Khmer inherent vowels': [0x17b4, 0x17b5],
  'Mongolian free variation selectors and vowel separator': [0x180b, 0x180d, 0x180e, 0x180f],
  'zero-width space, joiners and bidi marks': [0x200b, 0x200c, 0x200d, 0x200e, 0x200f],
  'line and paragraph separators': [0x2028, 0x2029],
  'bidi embeddings and overrides (RLO)': [0x202a, 0x202d, 0x202e],
  'word joiner and invisible operators': [0x2060, 0x2061, 0x2062, 0x2063, 0x2064],
  'bidi isolates and deprecated format characters': [0x2066, 0x2069, 0x206a, 0x206f],
  'variation selectors': [0xfe00, 0xfe0e, 0xe0100, 0xe01ef],
  'byte order mark': [0xfeff],
  'interlinear annotation': [0xfff9, 0xfffa, 0xfffb],
  'shorthand format controls': [0x1bca0, 0x1bca3],
  'musical formatting': [0x1d173, 0x1d17a],
  'tag characters': [0xe0000, 0xe0001, 0xe0020, 0xe007f],
  'private use': [0xe000, 0xf8ff, 0xf0000],
  unassigned: [0x0378, 0xe0080],
  'Braille blank': [0x2800],
};

describe('the one text policy', () => {
  for (const [name, cps] of Object.entries(HIDDEN)) {
    it.each(cps.map((cp) => [hex(cp), cp]))(`${name}: %s is refused and shown as a marker`, (_, cp) => {
      const text = `Pay${String.fromCodePoint(cp)}bill`;
      expect(textProblem(text)).toContain(hex(cp));
      expect(showText(text)).toBe(`Pay⟨${hex(cp)}⟩bill`);
    });
  }

  it('refuses and marks a lone surrogate', () => {
    expect(hasUnsafeText('a\uD800b')).toBe(true);
    expect(showText('a\uD800b')).toBe('a⟨U+D800⟩b');
  });

  it(`refuses runs of more than ${MAX_SPACE_RUN} spaces of any kind, and shows their length`, () => {
    expect(hasUnsafeText(`a${' '.repeat(MAX_SPACE_RUN)}b`)).toBe(false);
    expect(textProblem(`a${' '.repeat(40)}b`)).toMatch(/run of 40 spaces/);
    expect(showText(`Pay${' '.repeat(40)}evil`)).toBe('Pay⟨40 spaces⟩evil');
    expect(hasUnsafeText('a\u00a0\u2003\u3000\u205fb')).toBe(true);
    expect(hasUnsafeText('10\u00a0€')).toBe(false);
  });

  it(`refuses stacks of more than ${MAX_MARK_RUN} combining marks`, () => {
    const zalgo = 'a' + '\u0301\u0302\u0303\u0304\u0305';
    expect(textProblem(zalgo)).toMatch(/combining marks/);
    expect(showText(zalgo)).toBe('a⟨U+0301 U+0302 U+0303 U+0304 U+0305⟩');
    expect(hasUnsafeText('Tiếng Việt, नमस्ते, שָׁלוֹם')).toBe(false);
  });

  it('leaves ordinary text, accents, emoji and emoji presentation alone', () => {
    for (const ok of ['Réunion 📅 “Q3”', 'Pay the electricity bill', 'I ❤️ this ✔️', '1️⃣ 中文 العربية', '<b>&amp;</b>']) {
      expect(textProblem(ok)).toBeUndefined();
      expect(showText(ok)).toBe(ok);
    }
  });

  it('allows U+FE0F only right after an emoji', () => {
    expect(hasUnsafeText('a\uFE0F')).toBe(true);
    expect(hasUnsafeText('❤\uFE0F\uFE0F')).toBe(true);
  });
});
