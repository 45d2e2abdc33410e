/**
 * Issue 45 item 5, "evidence of a human part" (an experiment; the service draws none): a text cut into
 * word windows, each window scored human-side vs LLM-side by a small logistic head on the text features,
 * and per text the evidence the role and ratio heads may read off those window scores. Used by
 * training/eval-boundary.ts; pure functions, tested in test/training/boundary-evidence.test.ts.
 */

export interface WordWindow {
  /** character offsets into the text: from the window's first word to the end of its last word */
  start: number;
  end: number;
  /** word indices [firstWord, endWord) */
  firstWord: number;
  endWord: number;
}

/** the defaults: windows of at least 25 words, at most 8 per text */
export const WINDOW_MIN_WORDS = 25;
export const WINDOW_MAX = 8;

/**
 * K = clamp(floor(words / minWords), 1, maxWindows) consecutive windows of (nearly) equal word counts
 * covering the text's whitespace words in order (window k: words floor(k n / K) to floor((k + 1) n / K)).
 * A text without words gives one empty window at 0.
 */
export function wordWindows(text: string, minWords = WINDOW_MIN_WORDS, maxWindows = WINDOW_MAX): WordWindow[] {
  const starts: number[] = [];
  const ends: number[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  const n = starts.length;
  if (n === 0) return [{ start: 0, end: 0, firstWord: 0, endWord: 0 }];
  const K = Math.max(1, Math.min(maxWindows, Math.floor(n / minWords)));
  const out: WordWindow[] = [];
  for (let k = 0; k < K; k++) {
    const a = Math.floor((k * n) / K);
    const b = Math.floor(((k + 1) * n) / K);
    out.push({ start: starts[a], end: ends[b - 1], firstWord: a, endWord: b });
  }
  return out;
}

/** the share of each window's words inside the human part (the text's first `humanWords` words) */
export function humanShares(windows: readonly WordWindow[], humanWords: number): number[] {
  return windows.map((w) => {
    const len = w.endWord - w.firstWord;
    if (len <= 0) return humanWords > 0 ? 1 : 0;
    return Math.min(1, Math.max(0, (humanWords - w.firstWord) / len));
  });
}

/**
 * A window's training label from its human share: 0 (human side) at or above 1 - margin, 1 (LLM side) at
 * or below margin, null (across the boundary: not trained on) in between.
 */
export function windowLabel(share: number, margin = 0.2): 0 | 1 | null {
  if (share >= 1 - margin) return 0;
  if (share <= margin) return 1;
  return null;
}

/** the human words of a row with a known involvement ratio: round((1 - PR) x words), as eval-segments.ts */
export function humanWordsOf(pr: number, words: number): number {
  return Math.round((1 - pr) * words);
}

export const EVIDENCE_NAMES = [
  'bnd_human_share',
  'bnd_position',
  'bnd_gain',
  'bnd_jump',
  'bnd_first',
  'bnd_last',
  'bnd_max',
  'bnd_min',
] as const;

/**
 * The evidence of a human part from the windows' LLM-side probabilities `p` (text order) and their word
 * counts `w`:
 *   - bnd_human_share: the word-weighted mean of 1 - p (the share of the text on the human side);
 *   - the change point j* (0..K) maximising sum_{k < j} log(1 - p_k) + sum_{k >= j} log p_k (a human run,
 *     then an LLM run; earliest on ties, p clipped to [1e-6, 1 - 1e-6]):
 *     bnd_position: the words before window j* over all words (0: all LLM, 1: all human);
 *     bnd_gain: that split's log-likelihood minus the all-LLM one's (j = 0), per window (>= 0);
 *     bnd_jump: mean p after j* minus mean p before it (0 when j* is 0 or K: no boundary inside);
 *   - bnd_first, bnd_last, bnd_max, bnd_min: p of the first and last window, the largest and smallest p.
 */
export function boundaryEvidence(p: readonly number[], w: readonly number[]): number[] {
  const K = p.length;
  if (K === 0) return [0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5];
  const total = w.reduce((a, b) => a + b, 0);
  const ww = total > 0 ? w : w.map(() => 1);
  const tw = total > 0 ? total : K;
  const q = p.map((v) => Math.min(1 - 1e-6, Math.max(1e-6, v)));
  let share = 0;
  for (let k = 0; k < K; k++) share += (ww[k] * (1 - p[k])) / tw;
  let score = q.reduce((a, v) => a + Math.log(v), 0);
  const base = score;
  let best = score;
  let bestJ = 0;
  for (let j = 1; j <= K; j++) {
    score += Math.log(1 - q[j - 1]) - Math.log(q[j - 1]);
    if (score > best + 1e-12) {
      best = score;
      bestJ = j;
    }
  }
  let before = 0;
  for (let k = 0; k < bestJ; k++) before += ww[k];
  const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const jump = bestJ > 0 && bestJ < K ? meanOf(p.slice(bestJ)) - meanOf(p.slice(0, bestJ)) : 0;
  return [share, before / tw, (best - base) / K, jump, p[0], p[K - 1], Math.max(...p), Math.min(...p)];
}
