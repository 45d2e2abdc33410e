/**
 * The likelihood detector: how a small causal language model reads the text (zero-shot features), and, when
 * the text heads' ai_probability is at hand, their combination (models/likelihood/head.json, a logistic
 * regression over COMBINATION_FEATURES) with its signed per-feature explanation. Opt-in per request
 * (`likelihood: true`) on an instance started with LIKELIHOOD=on. Knows nothing of HTTP.
 */
import { COMBINATION_FEATURES, combinationInputs, likelihoodFeatures, type LikelihoodFeature, type TokenStats } from '../features/likelihood.js';
import type { WorkerHealth } from '../encoder/supervisor.js';
import { LogisticModel } from '../heads/logistic.js';
import { LikelihoodModel, LikelihoodUnavailableError, verified, type LikelihoodOptions } from '../likelihood/index.js';

export interface LikelihoodAnswer {
  model: { id: string; version: string };
  /** tokens read (at most LIKELIHOOD_MAX_TOKENS) */
  tokens: number;
  /** exp(-mean log-probability) of the tokens read */
  perplexity: number;
  /** Fast-DetectGPT's analytic discrepancy (one model samples and scores): higher reads as more LLM-like */
  fast_detectgpt: number;
  features: Record<LikelihoodFeature, number>;
  /** the text heads' ai_probability and the likelihood features combined (head.json); only with the role task */
  ai_probability?: number;
  /** signed contributions of the combination's inputs to its log-odds, largest first */
  explanation?: { feature: string; value: number; contribution: number }[];
}

interface Combination {
  model: LogisticModel;
  /** the text heads version it was fitted on: another version's ai_probability is not combined */
  heads: string;
  /** tokens per text its features were read from (LIKELIHOOD_MAX_TOKENS must match: the features depend on it) */
  maxTokens?: number;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

async function loadCombination(dir: string, files: Record<string, string>): Promise<Combination | null> {
  if (!files['head.json']) return null;
  const data = await verified(dir, files, 'head.json');
  const json = JSON.parse(data.toString('utf8')) as { heads?: string; features?: string[]; trained_on?: { max_tokens?: number } };
  if (JSON.stringify(json.features) !== JSON.stringify(COMBINATION_FEATURES)) {
    throw new LikelihoodUnavailableError(`head.json reads ${JSON.stringify(json.features)}, not this build's ${JSON.stringify(COMBINATION_FEATURES)}`);
  }
  return { model: LogisticModel.fromJSON(json), heads: String(json.heads ?? ''), maxTokens: json.trained_on?.max_tokens };
}

export class LikelihoodDetector {
  private constructor(
    readonly lm: LikelihoodModel,
    readonly combination: Combination | null,
  ) {}

  static async load(opts: LikelihoodOptions): Promise<LikelihoodDetector> {
    const lm = await LikelihoodModel.load(opts);
    try {
      return new LikelihoodDetector(lm, await loadCombination(opts.dir, lm.config.files));
    } catch (err) {
      await lm.close();
      throw err;
    }
  }

  /** A detector over a model already in hand (tests, tools). */
  static of(lm: LikelihoodModel, combination: Combination | null = null): LikelihoodDetector {
    return new LikelihoodDetector(lm, combination);
  }

  get model(): { id: string; version: string } {
    return { id: this.lm.config.id, version: this.lm.config.version };
  }

  describe(): Record<string, unknown> {
    const c = this.combination;
    return { ...this.lm.describe(), combination: c ? { heads: c.heads, max_tokens: c.maxTokens ?? null, features: [...COMBINATION_FEATURES] } : null };
  }

  /**
   * The likelihood answer of one text; with `heads` (the text heads' ai_probability and version) also the
   * combination and its explanation, unless the combination was fitted on other heads (then a warning says so).
   */
  async analyze(text: string, signal?: AbortSignal, heads?: { aiProbability: number; version: string }): Promise<{ answer: LikelihoodAnswer; warnings: string[] }> {
    return this.answer(await this.lm.score(text, signal), heads);
  }

  /** The answer from the model's per-token numbers (see analyze). */
  answer(stats: TokenStats, heads?: { aiProbability: number; version: string }): { answer: LikelihoodAnswer; warnings: string[] } {
    const f = likelihoodFeatures(stats);
    const answer: LikelihoodAnswer = {
      model: this.model,
      tokens: f.lm_tokens,
      perplexity: round(Math.exp(-f.lm_logp_mean)),
      fast_detectgpt: round(f.lm_fast_detectgpt),
      features: Object.fromEntries(Object.entries(f).map(([k, v]) => [k, round(v)])) as Record<LikelihoodFeature, number>,
    };
    const warnings: string[] = [];
    if (heads && this.combination) {
      const fittedTokens = this.combination.maxTokens;
      if (this.combination.heads !== heads.version) {
        warnings.push(`likelihood: its combination was fitted on text heads ${this.combination.heads}, not ${heads.version}, so no combined ai_probability is given`);
      } else if (fittedTokens !== undefined && fittedTokens !== this.lm.maxTokens) {
        warnings.push(`likelihood: its combination was fitted on features of the first ${fittedTokens} tokens, this instance reads ${this.lm.maxTokens} (LIKELIHOOD_MAX_TOKENS), so no combined ai_probability is given`);
      } else {
        const x = combinationInputs(heads.aiProbability, f);
        answer.ai_probability = round(this.combination.model.predictProba(x)[1]);
        answer.explanation = this.combination.model.topContributions(x, COMBINATION_FEATURES.length).map((c) => ({ feature: c.feature, value: round(c.value), contribution: round(c.contribution) }));
      }
    }
    return { answer, warnings };
  }

  /** the model worker's health (src/encoder/supervisor.ts), when it runs in one */
  health(): WorkerHealth | undefined {
    return (this.lm as { health?: () => WorkerHealth }).health?.();
  }

  /** admission control's cost of reading this text: the model's estimated tokens (up to LIKELIHOOD_MAX_TOKENS) */
  cost(text: string): number {
    return this.lm.cost(text.length);
  }

  /** the model's measured throughput, tokens per second of inference (0 before its first window) */
  get tokensPerSecond(): number {
    return this.lm.tokensPerSecond;
  }

  close(): Promise<void> {
    return this.lm.close();
  }
}

/** The loader loadDetectors imports (src/detectors/index.ts). */
export function loadLikelihoodDetector(opts: LikelihoodOptions): Promise<LikelihoodDetector> {
  return LikelihoodDetector.load(opts);
}
