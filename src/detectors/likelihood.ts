/**
 * The likelihood answer: how a small causal language model sees the text (zero-shot features; opt-in per
 * request with `likelihood: true` on an instance started with LIKELIHOOD=on). Knows nothing of HTTP.
 */
import { likelihoodFeatures, type LikelihoodFeature } from '../features/likelihood.js';
import type { LikelihoodModel } from '../likelihood/index.js';

export interface LikelihoodAnswer {
  model: { id: string; version: string };
  /** tokens read (at most LIKELIHOOD_MAX_TOKENS) */
  tokens: number;
  /** exp(-mean log-probability) of the tokens read */
  perplexity: number;
  /** Fast-DetectGPT's analytic discrepancy (one model samples and scores): higher reads as more LLM-like */
  fast_detectgpt: number;
  features: Record<LikelihoodFeature, number>;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export async function analyzeLikelihood(model: LikelihoodModel, text: string, signal?: AbortSignal): Promise<LikelihoodAnswer> {
  const f = likelihoodFeatures(await model.score(text, signal));
  const features = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, round(v)])) as Record<LikelihoodFeature, number>;
  return {
    model: { id: model.config.id, version: model.config.version },
    tokens: f.lm_tokens,
    perplexity: round(Math.exp(-f.lm_logp_mean)),
    fast_detectgpt: features.lm_fast_detectgpt,
    features,
  };
}
