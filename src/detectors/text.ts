/**
 * The text detector: role recognition and involvement measurement (the role paper, part A).
 * text -> features (src/features/text.ts) + embedding (the encoder) -> heads (models/heads) ->
 * calibrated answer. Knows nothing of HTTP.
 */
import path from 'node:path';
import { estimateTokens, REQUEST_OVERHEAD_TOKENS } from '../encoder/cost.js';
import type { TextEmbedder } from '../encoder/types.js';
import { languageName, loadLanguageIdentifier, type LanguageIdentifier } from '../features/language.js';
import { notProse, type NotProse, type NotProseKind } from '../features/prose.js';
import { extractTextFeatures, TEXT_FEATURE_VERSION, TEXT_FEATURES } from '../features/text.js';
import { countWords } from '../features/words.js';
import { embeddingSpan, headSpans, normalizeForHeads, sentenceGroups, textHalves, textParts } from '../heads/segments.js';
import { assembleInputs, lexiconInputs, TextHeads, type TextHeadsConfig } from '../heads/text-heads.js';
import {
  DECISION_FPRS,
  DECISION_RATES_TEXT,
  DEFAULT_MAX_FPR,
  DeadlineError,
  InputError,
  ModelUnavailableError,
  type Decision,
  type LanguageAnswer,
  type ModelRef,
  type Segment,
  type TextAnalysis,
  type TextAnalysisRequest,
  type TextDetector,
} from './types.js';

export interface LoadTextDetectorOptions {
  /** MODEL_DIR: the heads live in `<modelDir>/heads` */
  modelDir: string;
  /** TEXT_HEADS_DIR: another heads directory (default `<modelDir>/heads`) */
  headsDir?: string;
  embedder: TextEmbedder;
  /** the least words of a segment (sentence groups, src/heads/segments.ts); 60 unless an evaluation asks otherwise */
  segmentWords?: number;
}

/** what a warning calls each kind of non-prose */
const NOT_PROSE: Record<NotProseKind, string> = {
  code: 'program code',
  table: 'a table',
  url_list: 'a list of links',
  symbols: 'mostly numbers and symbols',
};

/** the word-count warnings, as every answer has had them: below short_text_words, and past the embedding's words */
function wordWarnings(words: number, cfg: Pick<TextHeadsConfig, 'thresholds' | 'embedding_dim' | 'embedding_max_words'>): string[] {
  const warnings: string[] = [];
  if (words < cfg.thresholds.short_text_words)
    warnings.push(`text has ${words} words; below ${cfg.thresholds.short_text_words} words results are unreliable`);
  const embedWords = cfg.embedding_dim > 0 ? (cfg.embedding_max_words ?? 0) : 0;
  if (embedWords > 0 && words > embedWords)
    warnings.push(`text has ${words} words; the role and involvement heads read the encoder embedding of the first ${embedWords} words and the linguistic features of all of them (segments cover the whole text)`);
  return warnings;
}

export interface TextNotes {
  /** countWords (src/features/words.ts) */
  words: number;
  warnings: string[];
  language: LanguageAnswer;
  /** the text is in a language the heads do not support, and enough of it to say so: the decision is not applicable */
  gated: boolean;
  prose: NotProse | null;
}

/**
 * What an answer says from the text alone, before any model (issue 48): the word count's warnings, the
 * language (what the models know is English prose: say so when the text is something else) and whether it
 * gates the decision, and whether the text is prose at all.
 */
function textNotes(text: string, cfg: Pick<TextHeadsConfig, 'thresholds' | 'embedding_dim' | 'embedding_max_words' | 'languages'>, languages: LanguageIdentifier): TextNotes {
  const words = countWords(text);
  const warnings = wordWarnings(words, cfg);
  const supported = cfg.languages?.supported ?? null;
  const guess = languages.identify(text, supported ?? []);
  const named = supported !== null && guess.code !== 'und';
  const other = named && !supported.includes(guess.code);
  // a guess from too few words (a name, a regex) is answered, not acted on
  const gated = other && !guess.uncertain;
  if (gated)
    warnings.push(`text is in ${languageName(guess.code)}, a language the models were not trained and evaluated on (supported: ${supported!.map(languageName).join(', ')}): role, involvement and ai_probability are not meaningful for it, and the decision is not applicable`);
  const prose = notProse(text);
  if (prose) warnings.push(`text looks like ${NOT_PROSE[prose.kind]} (${prose.kind}), not prose: the models were trained on prose, so the answer is unreliable and its confidence is low`);
  const language: LanguageAnswer = named ? { code: guess.code, confidence: guess.confidence, supported: !other } : { code: guess.code, confidence: guess.confidence };
  if (guess.uncertain) language.uncertain = true;
  return { words, warnings, language, gated, prose };
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DeadlineError();
}

export function confidenceOf(p: number, t: { high: number; medium: number }): 'low' | 'medium' | 'high' {
  return p >= t.high ? 'high' : p >= t.medium ? 'medium' : 'low';
}

function round(x: number, d = 4): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/**
 * Probabilities rounded to d decimals that still sum to what they summed to (1 for a distribution): each is
 * floored to a multiple of 10^-d and the units left over go to the largest remainders. Rounding each on its own
 * could make four of them miss 1 by up to 2 x 10^-d.
 */
export function roundDistribution<K extends string>(p: Record<K, number>, d = 6): Record<K, number> {
  const f = 10 ** d;
  const keys = Object.keys(p) as K[];
  const scaled = keys.map((k) => p[k] * f);
  const units = scaled.map(Math.floor);
  let left = Math.round(scaled.reduce((a, b) => a + b, 0)) - units.reduce((a, b) => a + b, 0);
  const byRemainder = keys.map((_, i) => i).sort((a, b) => scaled[b] - units[b] - (scaled[a] - units[a]));
  for (const i of byRemainder) {
    if (left <= 0) break;
    units[i]++;
    left--;
  }
  return Object.fromEntries(keys.map((k, i) => [k, units[i] / f])) as Record<K, number>;
}

class HeadsTextDetector implements TextDetector {
  readonly model: ModelRef;

  constructor(
    private readonly heads: TextHeads,
    private readonly embedder: TextEmbedder,
    private readonly languages: LanguageIdentifier,
    private readonly segmentWords = 60,
  ) {
    this.model = { id: heads.config.id, version: heads.config.version };
  }

  private useEmbedding(): boolean {
    return this.heads.config.embedding_dim > 0;
  }

  /**
   * The heads' inputs for a text: features (+ its halves' features), embedding (+ its halves' and its
   * quarters' embeddings), in the layout training used (assembleInputs). `halves: false` (segments)
   * leaves the halves' and the first quarter's differences at 0, the value of a homogeneous text.
   */
  private async inputs(
    raw: string,
    signal: AbortSignal | undefined,
    halves: boolean,
  ): Promise<{ x: Float64Array; tokens: number; windows: number }> {
    const c = this.heads.config;
    const text = normalizeForHeads(raw);
    const f = extractTextFeatures(text);
    const split = halves && c.contrast ? textHalves(text) : null;
    const opt = signal ? { signal } : undefined;
    let usage: { tokens: number; windows: number };
    let vector: Float32Array | null = null;
    let eA: Float32Array | null = null;
    let eB: Float32Array | null = null;
    let eQ: Float32Array[] | null = null;
    const prepare = (this.embedder as { prepare?: (t: string) => { tokens: number; windows: unknown[] } }).prepare;
    if (!this.useEmbedding() && typeof prepare === 'function') {
      // heads on text features only: the encoder's tokenizer counts the usage, no inference needed
      const p = prepare.call(this.embedder, raw);
      usage = { tokens: p.tokens, windows: p.windows.length };
    } else {
      const span = embeddingSpan(text, c.embedding_max_words ?? 0);
      const pooled = split && c.span_pooling && (c.contrast_embedding || c.quarter_embedding);
      // span_pooling heads: the halves and quarters are pools of the whole text's one pass (the loader
      // checked that the embedder has embedSpans)
      const spans = pooled ? await this.embedder.embedSpans!(span, headSpans(span), opt) : null;
      const emb = spans ? spans.embedding : await this.embedder.embed(span, opt);
      usage = { tokens: emb.tokens, windows: emb.windows.length };
      if (span.length < text.length && typeof prepare === 'function') {
        // the heads read the embedding of the first embedding_max_words words (as in training) and the
        // features of the whole text; usage reports the whole text, and analyze() says so in warnings
        const p = prepare.call(this.embedder, raw);
        usage = { tokens: p.tokens, windows: p.windows.length };
      }
      vector = emb.vector;
      if (spans) {
        if (c.contrast_embedding) [eA, eB] = spans.spans;
        if (c.quarter_embedding) eQ = spans.spans.slice(2, 6);
      } else if (split && this.useEmbedding() && c.contrast_embedding) {
        const [a, b] = await this.embedder.embedMany(split, opt);
        eA = a.vector;
        eB = b.vector;
      }
      if (!spans && split && this.useEmbedding() && c.quarter_embedding) {
        eQ = (await this.embedder.embedMany(textParts(text, 4), opt)).map((e) => e.vector);
      }
    }
    throwIfAborted(signal);
    const x = assembleInputs(c, {
      f,
      fA: split ? extractTextFeatures(split[0]) : undefined,
      fB: split ? extractTextFeatures(split[1]) : undefined,
      e: this.useEmbedding() ? vector : null,
      eA,
      eB,
      eQ,
      lex: lexiconInputs(this.heads.lexicon, text),
    });
    return { x, tokens: usage.tokens, windows: usage.windows };
  }

  describe(): Record<string, unknown> {
    const c = this.heads.config;
    return {
      id: c.id,
      version: c.version,
      created: c.created,
      encoder: c.encoder ? { id: c.encoder.id, version: c.encoder.version, sha256: c.encoder.trained_with } : null,
      feature_version: c.feature_version,
      heads: { files: c.files, role: 'softmax (4 roles)', involvement: 'role mixture of fractional-logit regressors' },
      calibration: c.calibration,
      thresholds: c.thresholds,
      training_data: c.training_data,
      metrics: c.metrics ?? {},
      languages: c.languages ?? null,
    };
  }

  /** estimated encoder tokens of analyze(): one pass per embedding inputs() and segments() compute (span pooling: the halves and quarters ride on the whole text's pass) */
  cost(req: { text: string; segments?: boolean }): number {
    const c = this.heads.config;
    const whole = estimateTokens(req.text.length);
    // heads on features only: tokenization (usage) and features, about one pass of CPU work
    if (!this.useEmbedding()) return REQUEST_OVERHEAD_TOKENS + whole;
    const span = c.embedding_max_words ? estimateTokens(embeddingSpan(req.text, c.embedding_max_words).length) : whole;
    const halves = c.contrast && c.contrast_embedding && !c.span_pooling ? whole : 0;
    const quarters = c.contrast && c.quarter_embedding && !c.span_pooling ? whole : 0;
    const segments = req.segments ? whole : 0;
    return REQUEST_OVERHEAD_TOKENS + span + halves + quarters + segments;
  }

  async analyze(req: TextAnalysisRequest): Promise<TextAnalysis> {
    const { text, signal } = req;
    const tasks = req.tasks && req.tasks.length > 0 ? req.tasks : (['role', 'involvement'] as const);
    throwIfAborted(signal);
    const { x, tokens, windows } = await this.inputs(text, signal, true);
    const p = this.heads.predict(x);
    const cfg = this.heads.config;
    const { warnings, language, gated, prose } = textNotes(text, cfg, this.languages);
    const out: TextAnalysis = { model: this.model, language, warnings, usage: { characters: text.length, tokens, windows } };
    // rounded once, so that the answer's numbers agree exactly: they sum to 1, ai_probability = 1 - P(human_author)
    const probabilities = roundDistribution(p.probabilities, 6);
    const aiProbability = round(1 - probabilities.human_author, 6);
    if (tasks.includes('role')) {
      out.role = {
        label: p.label,
        probabilities,
        confidence: gated || prose ? 'low' : confidenceOf(p.probabilities[p.label], cfg.thresholds.confidence),
      };
    }
    if (tasks.includes('involvement')) {
      out.involvement = {
        ratio: round(p.ratio),
        interval: [round(p.interval[0]), round(p.interval[1])],
        coverage: p.coverage,
      };
    }
    out.ai_probability = aiProbability;
    out.decision = decisionFor(aiProbability, cfg.thresholds, req.maxFalsePositiveRate);
    if (gated) out.decision = { ...out.decision, flagged: false, applicable: false, reason: 'unsupported_language' };
    if (req.segments) out.segments = await this.segments(text, p.aiProbability, signal);
    if (req.explain) {
      out.explanation = this.heads.explain(x, p.z, p.labelIndex).map((c) => ({
        feature: c.feature,
        value: round(c.value, 6),
        contribution: round(c.contribution, 6),
      }));
    }
    return out;
  }

  /** AI probability per sentence group; one group = the whole text's probability */
  private async segments(text: string, whole: number, signal?: AbortSignal): Promise<Segment[]> {
    const groups = sentenceGroups(text, this.segmentWords);
    if (groups.length <= 1) return [{ start: 0, end: text.length, ai_probability: round(whole, 6) }];
    const pieces = groups.map((g) => text.slice(g.start, g.end));
    const c = this.heads.config;
    const embs = this.useEmbedding() ? await this.embedder.embedMany(pieces, signal ? { signal } : undefined) : null;
    throwIfAborted(signal);
    const hi = c.roles.indexOf('human_author');
    return groups.map((g, i) => {
      const piece = normalizeForHeads(pieces[i]);
      const x = assembleInputs(c, { f: extractTextFeatures(piece), e: embs ? embs[i].vector : null, lex: lexiconInputs(this.heads.lexicon, piece) });
      const pr = this.heads.roleProbabilities(x);
      return { start: g.start, end: g.end, ai_probability: round(1 - pr[hi], 6) };
    });
  }
}

/**
 * The flag for a calibrated AI probability at the threshold that flagged `maxFpr` of the validation
 * split's human texts. At the default rate it is the heads' published default threshold
 * (`thresholds.ai_probability`, the one the model card's headline numbers use); heads without
 * per-rate thresholds use that one at every rate. The probability is compared as the answer reports it
 * (6 decimals).
 */
export function decisionFor(aiProbability: number, thresholds: { ai_probability: number; [key: string]: unknown }, maxFpr = DEFAULT_MAX_FPR): Decision {
  const key = DECISION_FPRS[maxFpr as keyof typeof DECISION_FPRS];
  if (!key) throw new InputError(`max_false_positive_rate must be ${DECISION_RATES_TEXT}`, '/max_false_positive_rate');
  // heads trained since 2026-12-01 carry thresholds for the rate on unseen data sets; older ones, on the validation split
  const byFpr = (thresholds.by_heldout_fpr ?? thresholds.by_validation_fpr) as Record<string, number> | undefined;
  const t = maxFpr !== DEFAULT_MAX_FPR && typeof byFpr?.[key] === 'number' ? byFpr[key] : thresholds.ai_probability;
  const threshold = round(Math.min(1, t), 6);
  return { flagged: round(aiProbability, 6) >= threshold, threshold, max_false_positive_rate: maxFpr };
}

/**
 * Loads models/heads and checks they fit the encoder and feature extractor in hand.
 * Throws ModelUnavailableError('text-heads', reason) when the heads are missing, altered, or were
 * trained for another encoder or feature version.
 */
export async function loadTextDetector(opts: LoadTextDetectorOptions): Promise<TextDetector> {
  const dir = opts.headsDir ?? path.join(opts.modelDir, 'heads');
  let heads: TextHeads;
  try {
    heads = await TextHeads.load(dir);
  } catch (err) {
    throw new ModelUnavailableError('text-heads', `${(err as Error).message} (heads directory ${dir})`);
  }
  const c = heads.config;
  if (c.feature_version !== TEXT_FEATURE_VERSION || c.features.length !== TEXT_FEATURES.length ||
      c.features.some((f, i) => f !== TEXT_FEATURES[i].name)) {
    throw new ModelUnavailableError(
      'text-heads',
      `heads were trained on features ${c.feature_version} (${c.features.length}), the extractor is ${TEXT_FEATURE_VERSION} (${TEXT_FEATURES.length}); retrain with npm run train`,
    );
  }
  if (c.encoder) {
    const info = opts.embedder.info;
    const shas = Object.values(c.encoder.files ?? {});
    if (info.id !== c.encoder.id || !shas.includes(info.sha256) || info.dim !== c.embedding_dim) {
      throw new ModelUnavailableError(
        'text-heads',
        `heads were trained for encoder ${c.encoder.id} (sha256 ${c.encoder.trained_with.slice(0, 12)}..., dim ${c.embedding_dim}), ` +
          `the loaded encoder is ${info.id} (sha256 ${info.sha256.slice(0, 12)}..., dim ${info.dim}); retrain with npm run train`,
      );
    }
  }
  const langs = c.languages;
  if (langs !== undefined && !(Array.isArray(langs?.supported) && langs.supported.every((l) => typeof l === 'string' && /^[a-z]{2,3}$/.test(l)))) {
    throw new ModelUnavailableError('text-heads', `config.json languages.supported must be a list of ISO 639 codes (heads directory ${dir})`);
  }
  if (c.span_pooling && c.embedding_dim > 0 && c.contrast && (c.contrast_embedding || c.quarter_embedding) && typeof opts.embedder.embedSpans !== 'function') {
    throw new ModelUnavailableError(
      'text-heads',
      `heads pool the halves and quarters from one encoder pass (span_pooling), and the loaded embedder cannot (no embedSpans); retrain with TEXT_SPAN_POOLING=0 npm run train`,
    );
  }
  return new HeadsTextDetector(heads, opts.embedder, await loadLanguageIdentifier(), opts.segmentWords);
}
