/**
 * Text normalisation before any detector sees a text. Pure, no I/O.
 *
 * - Lone surrogates (not valid Unicode, cannot be encoded as UTF-8) are reported, never guessed at:
 *   `findLoneSurrogate` gives their offset so the HTTP layer can answer 400 with the JSON path.
 * - NUL and other control characters (C0 and C1, except tab, line feed, carriage return) are removed.
 * - Zero-width and invisible formatting characters are removed and reported as a possible evasion
 *   attempt (they split tokens without changing what a reader sees).
 * - Words that mix Latin letters with Cyrillic or Greek look-alikes (homoglyphs) are reported as a
 *   possible evasion attempt, and their look-alike letters are folded to Latin.
 * - The result is in Unicode NFC.
 *
 * `toOriginal(offset)` maps an offset in the normalised text back to the caller's text, so segments
 * reported by a detector can be given in the caller's own offsets.
 */

export interface NormalizedText {
  text: string;
  warnings: string[];
  /** true when the normalised text differs from the input */
  changed: boolean;
  /** maps a UTF-16 offset of `text` (0..text.length) to an offset of the original text */
  toOriginal(offset: number): number;
}

/** Offset of the first lone surrogate, or -1. */
export function findLoneSurrogate(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (n >= 0xdc00 && n <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/** Invisible characters used to split tokens: zero-width space/joiners, word joiner, BOM, soft hyphen... */
const ZERO_WIDTH = new Set([
  0x00ad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180b, 0x180c, 0x180d, 0x180e, 0x180f,
  0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2061,
  0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0x206a, 0x206b, 0x206c, 0x206d, 0x206e,
  0x206f, 0x3164, 0xfeff, 0xffa0,
]);

function isControl(c: number): boolean {
  if (c === 0x09 || c === 0x0a || c === 0x0d) return false;
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f);
}

/** Cyrillic and Greek letters that look like Latin ones. */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'B', е: 'e', к: 'k', м: 'M', н: 'H', о: 'o', р: 'p', с: 'c', т: 'T', у: 'y', х: 'x',
  ѕ: 's', і: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X',
  Ѕ: 'S', І: 'I', Ј: 'J', Ԛ: 'Q', Ԝ: 'W', Һ: 'H', Ӏ: 'I',
  // Greek
  α: 'a', ο: 'o', ρ: 'p', ν: 'v', ι: 'i', κ: 'k', τ: 't', υ: 'u', χ: 'x',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T',
  Υ: 'Y', Χ: 'X',
};

const LATIN = /\p{Script=Latin}/u;
const LOOKALIKE_SCRIPT = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Joins with the previous character under NFC: combining marks and Hangul medial/final jamo. */
function joinsPrevious(cp: number, ch: string): boolean {
  if ((cp >= 0x1161 && cp <= 0x11c2) || (cp >= 0xd7b0 && cp <= 0xd7fb)) return true;
  return /\p{M}/u.test(ch);
}

export function normalizeText(input: string): NormalizedText {
  const warnings: string[] = [];
  let controls = 0;
  let invisibles = 0;

  // Pass 1: drop controls and invisibles, keep the original offset of each kept character.
  // Clusters (a starter + the marks that join it) are normalised to NFC together.
  const clusters: { text: string; start: number; end: number }[] = [];
  let pendingStart = 0; // original offset where the next kept cluster begins (absorbs removed chars)
  for (let i = 0; i < input.length; ) {
    const cp = input.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const ch = input.slice(i, i + len);
    if (isControl(cp)) {
      controls++;
    } else if (ZERO_WIDTH.has(cp)) {
      invisibles++;
    } else if (clusters.length > 0 && joinsPrevious(cp, ch)) {
      // joins the previous kept character even across removed ones (what a reader sees once they are gone)
      const last = clusters[clusters.length - 1];
      last.text += ch;
      last.end = i + len;
    } else {
      clusters.push({ text: ch, start: pendingStart, end: i + len });
    }
    i += len;
    pendingStart = i;
  }

  // Pass 2: NFC per cluster, building the offset map.
  const parts: string[] = [];
  const map: number[] = [];
  for (const c of clusters) {
    const n = c.text.normalize('NFC');
    parts.push(n);
    for (let k = 0; k < n.length; k++) map.push(k === 0 ? c.start : c.end);
  }
  map.push(input.length);
  let text = parts.join('');

  // Pass 3: homoglyph words (Latin mixed with Cyrillic/Greek); folding keeps the length (BMP only).
  let mixed = 0;
  text = text.replace(WORD, (word) => {
    if (!LATIN.test(word) || !LOOKALIKE_SCRIPT.test(word)) return word;
    mixed++;
    let out = '';
    for (const ch of word) out += CONFUSABLES[ch] !== undefined && ch.length === 1 ? CONFUSABLES[ch] : ch;
    // folding must keep offsets and NFC (a folded letter could compose with a following mark): else keep the word
    return out.length === word.length && out === out.normalize('NFC') ? out : word;
  });

  if (controls > 0) warnings.push(`removed ${controls} control character${controls === 1 ? '' : 's'} (NUL or other C0/C1 controls)`);
  if (invisibles > 0) {
    warnings.push(
      `possible evasion attempt: removed ${invisibles} zero-width or invisible formatting character${invisibles === 1 ? '' : 's'}`,
    );
  }
  if (mixed > 0) {
    warnings.push(
      `possible evasion attempt: ${mixed} word${mixed === 1 ? '' : 's'} mix${mixed === 1 ? 'es' : ''} Latin with Cyrillic or Greek look-alike letters (homoglyphs); folded to Latin`,
    );
  }

  const finalText = text;
  return {
    text: finalText,
    warnings,
    changed: finalText !== input,
    toOriginal(offset: number): number {
      if (offset >= map.length - 1) return input.length;
      if (offset <= 0) return 0;
      return map[Math.floor(offset)];
    },
  };
}
