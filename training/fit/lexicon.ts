/**
 * Choosing the marker words (src/heads/lexicon.ts reads them into head inputs): a word enters only when it
 * leans the same way (LLM-involved vs human) in several data sets, so words that merely mark a domain or a
 * single generator stay out.
 */
import { wordTokens, type LexiconJSON } from '../../src/heads/lexicon.js';

export interface LexiconRow {
  text: string;
  llm: boolean;
  source: string;
}

/**
 * For every data set with both human and LLM-involved rows: smoothed log-odds of each word's
 * document frequency (LLM vs human). A word is kept when it occurs in >= 1% of that set's rows,
 * its |log-odds| >= minLean in at least `minSources` sets with one sign and in none with the other;
 * the `perSide` strongest of each side are returned.
 */
export function buildLexicon(rows: LexiconRow[], opts: { minSources?: number; perSide?: number; minLean?: number } = {}): LexiconJSON {
  const minSources = opts.minSources ?? 3;
  const perSide = opts.perSide ?? 60;
  const minLean = opts.minLean ?? 0.4;
  const bySource = new Map<string, LexiconRow[]>();
  for (const r of rows) {
    const b = bySource.get(r.source) ?? [];
    b.push(r);
    bySource.set(r.source, b);
  }
  const votes = new Map<string, { pos: number; neg: number; sum: number; n: number }>();
  for (const [, rs] of bySource) {
    const nL = rs.filter((r) => r.llm).length;
    const nH = rs.length - nL;
    if (nL < 20 || nH < 20) continue;
    const dfL = new Map<string, number>();
    const dfH = new Map<string, number>();
    for (const r of rs) {
      const m = r.llm ? dfL : dfH;
      for (const t of new Set(wordTokens(r.text))) m.set(t, (m.get(t) ?? 0) + 1);
    }
    const words = new Set([...dfL.keys(), ...dfH.keys()]);
    for (const w of words) {
      const a = dfL.get(w) ?? 0;
      const b = dfH.get(w) ?? 0;
      if (a + b < 0.01 * rs.length) continue;
      const lo = Math.log((a + 0.5) / (nL - a + 0.5)) - Math.log((b + 0.5) / (nH - b + 0.5));
      const e = votes.get(w) ?? { pos: 0, neg: 0, sum: 0, n: 0 };
      if (lo >= minLean) e.pos++;
      else if (lo <= -minLean) e.neg++;
      e.sum += lo;
      e.n++;
      votes.set(w, e);
    }
  }
  const llm: [string, number][] = [];
  const human: [string, number][] = [];
  for (const [w, e] of votes) {
    const mean = e.sum / e.n;
    if (e.pos >= minSources && e.neg === 0 && mean > 0) llm.push([w, mean]);
    else if (e.neg >= minSources && e.pos === 0 && mean < 0) human.push([w, mean]);
  }
  llm.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  human.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  const chosen = [...llm.slice(0, perSide), ...human.slice(0, perSide)];
  return { type: 'lexicon', tokens: chosen.map((c) => c[0]), lean: chosen.map((c) => Number(c[1].toFixed(4))), min_sources: minSources };
}
