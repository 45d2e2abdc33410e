/** The two boundary estimates the card's segments section measures (eval-segments.ts); the service draws none. */
/**
 * Where the human part of an extended text ends, read off its segments (the answer's `segments`): the
 * start of the first segment whose AI probability reaches `threshold`; `textLength` (all of it read as
 * human) when none does. Segments are in text order, as sentenceGroups makes them.
 */
export function humanPartEnd(segments: readonly { start: number; ai_probability: number }[], threshold: number, textLength: number): number {
  for (const s of segments) if (s.ai_probability >= threshold) return s.start;
  return textLength;
}

/**
 * The boundary by change point: the segment start j (or the text's end) that best splits the
 * segments into a human run and an LLM run, maximising sum_{i < j} log(1 - p_i) + sum_{i >= j} log p_i
 * over the segments' AI probabilities p (clipped to [1e-6, 1 - 1e-6]); the earliest j on ties. Unlike
 * humanPartEnd it reads every segment, so one LLM-looking segment early in a human run does not end it.
 */
export function changePointEnd(segments: readonly { start: number; ai_probability: number }[], textLength: number): number {
  const p = segments.map((s) => Math.min(1 - 1e-6, Math.max(1e-6, s.ai_probability)));
  // j = 0: every segment LLM
  let score = p.reduce((a, v) => a + Math.log(v), 0);
  let best = score;
  let bestJ = 0;
  for (let j = 1; j <= p.length; j++) {
    score += Math.log(1 - p[j - 1]) - Math.log(p[j - 1]);
    if (score > best + 1e-12) {
      best = score;
      bestJ = j;
    }
  }
  return bestJ < segments.length ? segments[bestJ].start : textLength;
}
