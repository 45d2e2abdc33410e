/**
 * Marker words chosen for consistency across data sets, to fight the domain confound: a word
 * enters only when it leans the same way (LLM-involved vs human) in several data sets, so words
 * that merely mark a domain or a single generator stay out. Each text then gets log(1 + rate per
 * 1,000 words) of every marker word as extra head inputs (training/fit/lexicon.ts chooses the words).
 */

export interface LexiconJSON {
  type: 'lexicon';
  /** lower-cased word tokens */
  tokens: string[];
  /** +: leans LLM-involved, -: leans human (mean smoothed log-odds of document frequency) */
  lean: number[];
  /** data sets a token had to agree in */
  min_sources: number;
}

const WORD = /[a-z]+(?:'[a-z]+)?/g;

export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

export function lexiconVector(lex: LexiconJSON, text: string): Float64Array {
  const toks = wordTokens(text);
  const index = new Map(lex.tokens.map((t, i) => [t, i]));
  const v = new Float64Array(lex.tokens.length);
  for (const t of toks) {
    const i = index.get(t);
    if (i !== undefined) v[i]++;
  }
  const n = Math.max(1, toks.length);
  for (let i = 0; i < v.length; i++) v[i] = Math.log1p((v[i] * 1000) / n);
  return v;
}
