/**
 * Shared pieces of the loaders of the wider text sets (issue 45; ../shared/data/README.md, one row per
 * set): the group key of a human text that the sets share, the pairing of a rewrite with its human
 * source where a set does not give the pair, and the small cleaning steps that the sets need.
 * Training and evaluation only, never the server.
 */
import { createHash } from 'node:crypto';
import { makeRow, stripEditMarks, type RowInit } from '../text-sources.js';
import { commonWordPrefix, cutAtWord, extenderPR, polisherPR, wordCount, type TextRow } from '../text-common.js';

/**
 * Characters of a text's normalised start that name its human source: lower-case letters and digits
 * only, everything else dropped. The same XSum, SQuAD, WritingPrompts, PubMed, arXiv and Reddit texts
 * come with different whitespace, markdown, line breaks and truncation in different sets (DetectRL
 * joins sentences without a space, M4 keeps the arXiv line breaks, fast-detect-gpt cuts the original to
 * the length of the sample): 64 such characters (about 12 words) are the same in every copy.
 */
export const GROUP_KEY_CHARS = 64;

/** Lower-case letters and digits of a text, nothing else (the comparison form of a human text). */
export function alnum(text: string): string {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).join('');
}

/**
 * Group id of a human text (and of every text made from it): `text:` + sha1 of its first
 * GROUP_KEY_CHARS normalised characters; null when the text has fewer (too short to name a source).
 */
export function textKey(text: string): string | null {
  const s = alnum(text);
  if (s.length < GROUP_KEY_CHARS) return null;
  return `text:${createHash('sha1').update(s.slice(0, GROUP_KEY_CHARS)).digest('hex').slice(0, 16)}`;
}

/** The group of a row made from `source` (its human original, or the row's own text): its key, else a hash of the whole text. */
export function textGroup(source: string): string {
  return textKey(source) ?? `text-short:${createHash('sha1').update(alnum(source)).digest('hex').slice(0, 16)}`;
}

/** Adds a row (makeRow's checks: empty texts and P/E rows with PR 0 are left out). */
export function pushRow(out: TextRow[], init: RowInit): void {
  const row = makeRow(init);
  if (row) out.push(row);
}

/**
 * Fewest leading words an LLM output must share with its human original to count as that original
 * continued (llm_extender): mixset's `_complete` rule in text-sources.ts (`k < 3`: not an extension).
 */
export const MIN_KEPT_PREFIX_WORDS = 3;

/**
 * Role and PR of an LLM output made from a human original with the instruction to continue it
 * (fast-detect-gpt, glimpse, imbd `generation`). README: E with the boundary at the longest common word
 * prefix, PR = words after it / words of the text (the paper's extender formula, extenderPR). An output
 * that does not keep the human start (fewer than MIN_KEPT_PREFIX_WORDS shared words) holds no human
 * words: llm_creator, PR 1.
 */
export function continuation(original: string, final: string): Pick<RowInit, 'role' | 'pr'> {
  const text = final.trim(); // the row's text as stored (makeRow trims)
  const k = commonWordPrefix(original, text);
  if (k < MIN_KEPT_PREFIX_WORDS) return { role: 'llm_creator', pr: 1 };
  return { role: 'llm_extender', pr: extenderPR(cutAtWord(text, k).rest, text) };
}

/** P from an (original, rewritten) pair: the paper's multiset Jaccard distance (polisherPR) of the texts as stored (trimmed). */
export function polished(original: string, final: string): Pick<RowInit, 'role' | 'pr'> {
  return { role: 'llm_polisher', pr: polisherPR(original.trim(), final.trim()) };
}

/** An LLM's refusal or its chat boilerplate, which no rewrite of a human text contains. */
const REFUSAL = /\b(I'm|I am) (only |just )?an? (AI )?language model\b|\bas an AI language model\b|\bI'm not able to help with that\b/i;

export function isRefusal(text: string): boolean {
  return REFUSAL.test(text);
}

/**
 * An LLM rewrite as the reader gets it: markdown bold marks dropped (stripEditMarks), and the chat
 * frame some models put around it ("Certainly! Here is the refined paragraph: --- <text> --- This
 * version ...", "Here's the expanded paragraph:<text>") cut off. About 60 of imbd's 8,000 outputs.
 */
export function stripChatFrame(text: string): string {
  let t = stripEditMarks(text).trim();
  const parts = t.split(/\s+---\s+/);
  if (parts.length === 3 && /:\s*$/.test(parts[0]!) && wordCount(parts[0]!) <= 40) t = parts[1]!;
  else if (parts.length === 2 && /:\s*$/.test(parts[0]!) && wordCount(parts[0]!) <= 40) t = parts[1]!;
  else t = t.replace(/^(?:(?:certainly|sure|of course|absolutely)[!.,]?\s+)?(?:here(?:'s| is| are)|below is|let's)\b[^:\n]{0,200}:\s*/i, '');
  return t.trim();
}

// ---------------------------------------------------------------------------------------------
// Pairing a rewrite with its human source where the set gives no pair (detectrl's polished human
// texts, l2r's Gemini files whose rows do not follow human.json's).

const wordTypes = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z0-9]+/g) ?? []);

/** The thresholds of a confident pair, measured on detectrl (961 of its 1,008 polished texts pass). */
export const PAIR_MIN_JACCARD = 0.2;
export const PAIR_MIN_RATIO = 1.5;

export interface Pairing {
  index: number;
  jaccard: number;
  second: number;
}

/**
 * An index over candidate source texts: `pair(text)` returns the candidate whose word types overlap the
 * text's most (Jaccard of lower-cased letter/digit word types), when that overlap is at least
 * PAIR_MIN_JACCARD and PAIR_MIN_RATIO times the next candidate's; else null. Candidates are first
 * ranked by the summed idf of the rare words they share (document frequency <= maxDf), the best
 * `shortlist` then scored exactly. `allow` limits the candidates.
 */
export function pairIndex(sources: string[], maxDf = 50, shortlist = 5): { pair: (text: string, allow?: (index: number) => boolean) => Pairing | null } {
  const types = sources.map(wordTypes);
  const df = new Map<string, number>();
  for (const s of types) for (const w of s) df.set(w, (df.get(w) ?? 0) + 1);
  const inv = new Map<string, number[]>();
  types.forEach((s, i) => {
    for (const w of s) {
      if ((df.get(w) ?? 0) > maxDf) continue;
      let l = inv.get(w);
      if (!l) inv.set(w, (l = []));
      l.push(i);
    }
  });
  const n = sources.length;
  const jaccard = (a: Set<string>, b: Set<string>): number => {
    let inter = 0;
    for (const w of a) if (b.has(w)) inter++;
    const union = a.size + b.size - inter;
    return union === 0 ? 0 : inter / union;
  };
  return {
    pair(text: string, allow?: (index: number) => boolean): Pairing | null {
      const q = wordTypes(text);
      const score = new Map<number, number>();
      for (const w of q) {
        const l = inv.get(w);
        if (!l) continue;
        const idf = Math.log(n / l.length);
        for (const i of l) if (!allow || allow(i)) score.set(i, (score.get(i) ?? 0) + idf);
      }
      const top = [...score.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, shortlist);
      const scored = top.map(([i]) => ({ i, j: jaccard(q, types[i]!) })).sort((a, b) => b.j - a.j || a.i - b.i);
      const best = scored[0];
      if (!best) return null;
      const second = scored[1]?.j ?? 0;
      if (best.j < PAIR_MIN_JACCARD || best.j < PAIR_MIN_RATIO * second) return null;
      return { index: best.i, jaccard: best.j, second };
    },
  };
}
