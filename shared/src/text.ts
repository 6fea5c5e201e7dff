/**
 * The one text policy for every string a person reads (agent name, task text, resource, scopes, every key and
 * value of `authorization_details`). The daemon refuses such text at its input edge (`textProblem`); every
 * renderer shows what still arrives (old records, pages) with each hidden character as a visible marker
 * (`showText`). One definition, so what the daemon lets in is exactly what the screens can show.
 *
 * Hidden or confusing, and so never allowed:
 * - controls (Cc: C0, DEL, C1 — newline and tab included), format characters (Cf: bidi marks, embeddings,
 *   overrides and isolates, zero-width characters, word joiner and invisible operators U+2060–2064, soft hyphen,
 *   Arabic letter mark, Mongolian vowel separator, interlinear annotation U+FFF9–FFFB, tag characters
 *   U+E0000–E007F, …), line and paragraph separators (Zl, Zp);
 * - every Unicode default-ignorable code point: Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the combining
 *   grapheme joiner U+034F, Khmer inherent vowels U+17B4–17B5, variation selectors U+FE00–FE0F and
 *   U+E0100–E01EF, Mongolian free variation selectors, reserved ranges;
 * - lone surrogates, private-use and unassigned code points (they render as nothing, or as anything);
 * - the Braille blank U+2800 (draws as a space but is not one);
 * - runs of more than MAX_SPACE_RUN spaces of any kind (padding that pushes text out of sight), and stacks of
 *   more than MAX_MARK_RUN combining marks (they draw over neighbouring lines).
 * One exception: U+FE0F (emoji presentation) directly after an emoji, so "✔️" and "❤️" are ordinary text.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
const EMOJI = /\p{Emoji}/u;
const SPACE = /\p{Zs}/u;
const MARK = /\p{M}/u;

/** Longest run of spaces (U+0020, no-break, em, ideographic, … any Zs) a person reads as intended layout. */
export const MAX_SPACE_RUN = 3;
/** Most combining marks on one base character; real scripts need fewer. */
export const MAX_MARK_RUN = 4;

type Piece = { kind: 'text'; text: string } | { kind: 'hidden'; cp: number } | { kind: 'spaces'; count: number } | { kind: 'marks'; text: string };

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Splits text into ordinary text and the pieces the policy forbids (iterates code points; lone surrogates included). */
function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  const cps = Array.from(text);
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfe0f && i > 0 && cps[i - 1] !== '\uFE0F' && EMOJI.test(cps[i - 1]!) && !HIDDEN.test(cps[i - 1]!)) {
      plain += ch;
      continue;
    }
    if (HIDDEN.test(ch)) {
      flush();
      out.push({ kind: 'hidden', cp });
      continue;
    }
    if (SPACE.test(ch) || MARK.test(ch)) {
      const isSpace = SPACE.test(ch);
      let j = i;
      while (j < cps.length && (isSpace ? SPACE.test(cps[j]!) : MARK.test(cps[j]!) && !HIDDEN.test(cps[j]!))) j++;
      const run = cps.slice(i, j).join('');
      const count = j - i;
      if (isSpace && count > MAX_SPACE_RUN) {
        flush();
        out.push({ kind: 'spaces', count });
      } else if (!isSpace && count > MAX_MARK_RUN) {
        flush();
        out.push({ kind: 'marks', text: run });
      } else plain += run;
      i = j - 1;
      continue;
    }
    plain += ch;
  }
  flush();
  return out;
}

/** Why the text may not be shown to a person as it is, or undefined when it is plain. */
export function textProblem(text: string): string | undefined {
  for (const p of pieces(text)) {
    if (p.kind === 'hidden') return `contains ${hex(p.cp)}, an invisible, control or direction character`;
    if (p.kind === 'spaces') return `contains a run of ${p.count} spaces (at most ${MAX_SPACE_RUN} in a row)`;
    if (p.kind === 'marks') return `stacks ${Array.from(p.text).length} combining marks on one character (at most ${MAX_MARK_RUN})`;
  }
  return undefined;
}

export const hasUnsafeText = (text: string): boolean => textProblem(text) !== undefined;

/**
 * Text as a person should see it: each hidden character becomes a visible marker such as `⟨U+202E⟩`, a long run
 * of spaces becomes `⟨12 spaces⟩`, a stack of combining marks becomes its code points. Plain text is unchanged.
 */
export function showText(text: string): string {
  return pieces(text)
    .map((p) =>
      p.kind === 'text'
        ? p.text
        : p.kind === 'hidden'
          ? `⟨${hex(p.cp)}⟩`
          : p.kind === 'spaces'
            ? `⟨${p.count} spaces⟩`
            : `⟨${Array.from(p.text, (c) => hex(c.codePointAt(0)!)).join(' ')}⟩`,
    )
    .join('');
}
