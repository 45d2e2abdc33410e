/**
 * Zero-shot likelihood features: how a causal language model sees a text (pure; the numbers per token come
 * from src/likelihood). Names and meanings:
 *
 *   lm_logp_mean      mean log-probability of the observed tokens (higher: more predictable; perplexity = exp(-it))
 *   lm_logp_std       their spread (GPTZero's "burstiness", at the token level)
 *   lm_entropy_mean   mean entropy of the model's next-token distribution
 *   lm_log_rank_mean  mean log(1 + rank) of the observed token (0 = the model's first choice; GLTR, log-rank)
 *   lm_top1_share     share of tokens that were the model's first choice
 *   lm_fast_detectgpt Fast-DetectGPT's analytic sampling discrepancy with one model sampling and scoring:
 *                     (sum_t log p(x_t) - sum_t E[log p]) / sqrt(sum_t Var[log p]); LLM text scores higher
 *   lm_tokens         tokens read
 */

/** Per-token numbers of one text, as the likelihood model's graph returns them. */
export interface TokenStats {
  observed: Float32Array;
  expected: Float32Array;
  variance: Float32Array;
  rank: Float32Array;
}

export const LIKELIHOOD_FEATURES = [
  'lm_logp_mean',
  'lm_logp_std',
  'lm_entropy_mean',
  'lm_log_rank_mean',
  'lm_top1_share',
  'lm_fast_detectgpt',
  'lm_tokens',
] as const;
export type LikelihoodFeature = (typeof LIKELIHOOD_FEATURES)[number];

export function likelihoodFeatures(s: TokenStats): Record<LikelihoodFeature, number> {
  const n = s.observed.length;
  if (n === 0) {
    return { lm_logp_mean: 0, lm_logp_std: 0, lm_entropy_mean: 0, lm_log_rank_mean: 0, lm_top1_share: 0, lm_fast_detectgpt: 0, lm_tokens: 0 };
  }
  let obs = 0;
  let obs2 = 0;
  let exp = 0;
  let v = 0;
  let logRank = 0;
  let top1 = 0;
  for (let t = 0; t < n; t++) {
    const o = s.observed[t];
    obs += o;
    obs2 += o * o;
    exp += s.expected[t];
    v += Math.max(0, s.variance[t]);
    logRank += Math.log1p(Math.max(0, s.rank[t]));
    if (s.rank[t] < 0.5) top1++;
  }
  const mean = obs / n;
  return {
    lm_logp_mean: mean,
    lm_logp_std: Math.sqrt(Math.max(0, obs2 / n - mean * mean)),
    lm_entropy_mean: -exp / n,
    lm_log_rank_mean: logRank / n,
    lm_top1_share: top1 / n,
    lm_fast_detectgpt: v > 0 ? (obs - exp) / Math.sqrt(v) : 0,
    lm_tokens: n,
  };
}

/**
 * The inputs of the likelihood combination head (models/likelihood/head.json): the text heads' ai_probability
 * as log-odds, then the likelihood features (the token count as log(1 + n)). Training (training/eval-likelihood.ts)
 * and serving (src/detectors/likelihood.ts) both build them here.
 */
export const COMBINATION_FEATURES: readonly string[] = [
  'heads_ai_log_odds',
  ...LIKELIHOOD_FEATURES.filter((f) => f !== 'lm_tokens'),
  'lm_log_tokens',
];

export function combinationInputs(aiProbability: number, f: Record<LikelihoodFeature, number>): Float64Array {
  const p = Math.min(1 - 1e-6, Math.max(1e-6, aiProbability));
  return Float64Array.from([Math.log(p / (1 - p)), ...LIKELIHOOD_FEATURES.filter((n) => n !== 'lm_tokens').map((n) => f[n]), Math.log1p(f.lm_tokens)]);
}
