/**
 * Cuts a text into consecutive sentence groups for per-segment AI probabilities. The groups cover
 * the text in order without gaps: group i ends where group i + 1 starts, the first starts at 0 and
 * the last ends at text.length.
 */

export interface SentenceGroup {
  start: number;
  end: number;
  words: number;
}

/** sentence ends: . ! ? (with closing quotes/brackets) followed by whitespace, or a blank line */
const SENTENCE_END = /[.!?\u3002\uff01\uff1f]+["'\u201d\u2019)\]]*(?=\s)|\n\s*\n/g;

function countWords(s: string): number {
  const m = s.match(/\S+/g);
  return m ? m.length : 0;
}

/**
 * Groups of whole sentences with at least `minWords` words each (the last group absorbs a short
 * tail), and at most `maxGroups` groups (minWords grows for long texts).
 */
export function sentenceGroups(text: string, minWords = 60, maxGroups = 48): SentenceGroup[] {
  if (text.length === 0) return [{ start: 0, end: 0, words: 0 }];
  const total = countWords(text);
  const per = Math.max(minWords, Math.ceil(total / maxGroups));
  // sentence boundaries: positions just after a sentence end (and its following whitespace)
  const cuts: number[] = [];
  SENTENCE_END.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SENTENCE_END.exec(text)) !== null) {
    let e = m.index + m[0].length;
    while (e < text.length && /\s/.test(text[e])) e++;
    if (e < text.length) cuts.push(e);
    if (m[0].length === 0) SENTENCE_END.lastIndex++;
  }
  const groups: SentenceGroup[] = [];
  let start = 0;
  for (const c of cuts) {
    const w = countWords(text.slice(start, c));
    if (w >= per) {
      groups.push({ start, end: c, words: w });
      start = c;
    }
  }
  const tail = countWords(text.slice(start));
  if (groups.length > 0 && tail < per / 2) {
    const last = groups[groups.length - 1];
    last.end = text.length;
    last.words += tail;
  } else {
    groups.push({ start, end: text.length, words: tail });
  }
  return groups;
}

/**
 * The two halves of a text by whitespace words (first floor(n/2) words, then the rest), as
 * character slices. The role heads compare them: an extended text starts human and ends LLM.
 */
export function textHalves(text: string): [string, string] {
  const re = /\S+/g;
  const ends: number[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) ends.push(m.index + m[0].length);
  if (ends.length < 2) return [text, text];
  const cut = ends[Math.floor(ends.length / 2) - 1];
  return [text.slice(0, cut).trim(), text.slice(cut).trim()];
}

/**
 * The character ranges of `n` consecutive parts of a text by whitespace words, for span pooling (one
 * encoder pass; heads with span_pooling): part k runs from the start of word floor(k w / n) (0 for the
 * first) to the start of the next part's first word (text.length for the last), so the parts cover the
 * text without gaps and `n` = 2 gives the two halves that textHalves() cuts. Fewer than `n` words: the
 * whole text `n` times (as textParts).
 */
export function textPartRanges(text: string, n: number): [number, number][] {
  const starts: number[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) starts.push(m.index);
  if (starts.length < n) return Array.from({ length: n }, () => [0, text.length] as [number, number]);
  const cut = (k: number) => (k === 0 ? 0 : k === n ? text.length : starts[Math.floor((k * starts.length) / n)]);
  return Array.from({ length: n }, (_, k) => [cut(k), cut(k + 1)] as [number, number]);
}

/** the spans a text's one encoder pass is pooled over (span_pooling heads): its two halves, then its four quarters */
export function headSpans(text: string): [number, number][] {
  return [...textPartRanges(text, 2), ...textPartRanges(text, 4)];
}

/**
 * `n` consecutive parts of a text by whitespace words (part k: words floor(k w / n) up to floor((k + 1) w / n),
 * joined by one space); a text of fewer than `n` words gives its whole text `n` times.
 */
export function textParts(text: string, n: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length < n) return Array(n).fill(text);
  return Array.from({ length: n }, (_, k) => words.slice(Math.floor((k * words.length) / n), Math.floor(((k + 1) * words.length) / n)).join(' '));
}

/**
 * The part of a text the heads' embedding input is taken from: its first `maxWords` whitespace words
 * (the whole text when shorter, or when maxWords is 0). The text features always cover the whole text.
 */
export function embeddingSpan(text: string, maxWords: number): string {
  if (!maxWords || maxWords <= 0) return text;
  const re = /\S+/g;
  let n = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    n++;
    if (n === maxWords) {
      const end = m.index + m[0].length;
      return end < text.trimEnd().length ? text.slice(0, end) : text;
    }
  }
  return text;
}

/**
 * The text the heads' features are computed on: runs of horizontal whitespace collapsed to one space
 * and spaces at line ends dropped. Double spaces in the public data sets are mostly artefacts of how
 * they were built (e.g. where a prompt and its continuation were joined), not a trait of a writer.
 */
export function normalizeForHeads(text: string): string {
  return text.replace(/[ \t\u00a0]+/g, ' ').replace(/ +\n/g, '\n').replace(/\n +/g, '\n');
}
