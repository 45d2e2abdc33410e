/**
 * TEST DOUBLES. Small real implementations of the detector interfaces, written for the route tests
 * so that HTTP behaviour can be tested without trained models or onnxruntime. They are deterministic
 * functions of their input (not canned answers) so tests can tell one text from another; they are
 * NEVER used by the service itself, which answers 503 when a model is missing.
 */
import {
  InputError,
  ROLES,
  type JudgmentDetection,
  type JudgmentDetector,
  type JudgmentRequest,
  type RubricDescription,
  type Role,
  type TextAnalysis,
  type TextAnalysisRequest,
  type TextDetector,
} from '../../src/detectors/types.js';
import { decisionFor } from '../../src/detectors/text.js';
import { estimateTokens, REQUEST_OVERHEAD_TOKENS } from '../../src/encoder/cost.js';
import type { TextEmbedder } from '../../src/encoder/types.js';

/** the double's decision thresholds (the real heads publish theirs in config.json) */
const DOUBLE_THRESHOLDS = { ai_probability: 0.7, by_validation_fpr: { fpr_0_01: 0.9, fpr_0_05: 0.7, fpr_0_10: 0.5 } };

export interface DoubleOptions {
  /** each call waits this long (honouring the AbortSignal) */
  delayMs?: number;
  /** a text containing this marker makes analyze() throw the given error */
  failOn?: { marker: string; error: () => Error };
  /** each call waits until this promise resolves (honouring the AbortSignal): deterministic "slow" work */
  gate?: Promise<void>;
  /** counts calls, for tests */
  calls?: { n: number; aborted: number };
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function waitFor(gate: Promise<void>, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    gate.then(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** A text detector double: role probabilities from word-length statistics, segments per sentence. */
export class TestDoubleTextDetector implements TextDetector {
  readonly model = { id: 'test-double-text', version: '0.0.0-test' };
  constructor(private readonly opts: DoubleOptions = {}) {}

  describe(): Record<string, unknown> {
    return { kind: 'test double', encoder: 'none' };
  }

  async analyze(req: TextAnalysisRequest): Promise<TextAnalysis> {
    if (this.opts.calls) this.opts.calls.n++;
    if (this.opts.delayMs || this.opts.gate) {
      try {
        if (this.opts.gate) await waitFor(this.opts.gate, req.signal);
        if (this.opts.delayMs) await wait(this.opts.delayMs, req.signal);
      } catch (err) {
        if (this.opts.calls) this.opts.calls.aborted++;
        throw err;
      }
    }
    if (this.opts.failOn && req.text.includes(this.opts.failOn.marker)) throw this.opts.failOn.error();
    const words = req.text.split(/\s+/).filter(Boolean);
    const meanLen = words.reduce((s, w) => s + w.length, 0) / Math.max(1, words.length);
    const x = (meanLen - 5) / 2;
    const raw = [1 - sigmoid(x), sigmoid(x) * 0.5, sigmoid(x) * 0.3, sigmoid(x) * 0.2];
    const total = raw.reduce((a, b) => a + b, 0);
    const probabilities = Object.fromEntries(ROLES.map((r, i) => [r, raw[i] / total])) as Record<Role, number>;
    let best: Role = ROLES[0];
    for (const r of ROLES) if (probabilities[r] > probabilities[best]) best = r;
    const top = probabilities[best];
    const ratio = Math.min(1, Math.max(0, sigmoid(x)));
    const out: TextAnalysis = {
      model: this.model,
      warnings: words.length < 80 ? [`text has ${words.length} words; below 80 words results are unreliable`] : [],
      usage: { characters: req.text.length, tokens: words.length, windows: 1 },
    };
    if (req.tasks.includes('role')) {
      out.role = { label: best, probabilities, confidence: top > 0.8 ? 'high' : top > 0.5 ? 'medium' : 'low' };
      out.ai_probability = 1 - probabilities.human_author;
      out.decision = decisionFor(out.ai_probability, DOUBLE_THRESHOLDS, req.maxFalsePositiveRate);
    }
    if (req.tasks.includes('involvement')) {
      out.involvement = { ratio, interval: [Math.max(0, ratio - 0.1), Math.min(1, ratio + 0.1)], coverage: 0.9 };
    }
    if (req.segments) {
      const segs: { start: number; end: number; ai_probability: number }[] = [];
      const re = /[^.!?]+[.!?]*\s*/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(req.text)) !== null) {
        if (m[0].length === 0) break;
        segs.push({ start: m.index, end: m.index + m[0].length, ai_probability: ratio });
      }
      if (segs.length === 0 || segs[segs.length - 1].end !== req.text.length) segs.push({ start: segs.at(-1)?.end ?? 0, end: req.text.length, ai_probability: ratio });
      out.segments = segs;
    }
    if (req.explain) out.explanation = [{ feature: 'mean_word_length', value: meanLen, contribution: x }];
    return out;
  }
}

export const TEST_RUBRIC: RubricDescription = {
  id: 'test-rubric',
  description: 'a rubric for tests: five 0-4 integer dimensions',
  dimensions: ['helpfulness', 'correctness', 'coherence', 'complexity', 'verbosity'].map((name) => ({ name, min: 0, max: 4, integer: true })),
  candidate_fields: ['prompt', 'response'],
  scores_only: false,
  metrics: { auroc: 0.5 },
  bias: [],
  model: { id: 'test-double-judgment-test-rubric', version: '0.0.0-test' },
};

export const TEST_SCORES_RUBRIC: RubricDescription = {
  id: 'test-scores',
  description: 'a scores-only rubric for tests: one 1-10 real-valued dimension',
  dimensions: [{ name: 'overall', min: 1, max: 10 }],
  candidate_fields: [],
  scores_only: true,
  metrics: {},
  bias: [],
  model: { id: 'test-double-judgment-test-scores', version: '0.0.0-test' },
};

/** A judgment detector double: per-judgment log-odds from the spread of scores, summed for the group. */
export class TestDoubleJudgmentDetector implements JudgmentDetector {
  constructor(private readonly opts: DoubleOptions = {}) {}

  rubrics(): RubricDescription[] {
    return [TEST_RUBRIC, TEST_SCORES_RUBRIC];
  }

  async detect(req: JudgmentRequest): Promise<JudgmentDetection> {
    if (this.opts.delayMs) await wait(this.opts.delayMs, req.signal);
    const rubric = this.rubrics().find((r) => r.id === req.rubric);
    if (!rubric) throw new InputError('unknown rubric', '/rubric');
    const logits = req.judgments.map((j, i) => {
      for (const d of rubric.dimensions) {
        if (!(d.name in j.scores)) throw new InputError('is required by this rubric', `/judgments/${i}/scores/${d.name}`);
      }
      const v = Object.values(j.scores);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      return 1 - 2 * sd;
    });
    const answers = logits.map((l) => {
      const p = sigmoid(l);
      return { llm_probability: p, label: (p >= 0.5 ? 'llm' : 'human') as 'llm' | 'human' };
    });
    const g = sigmoid(logits.reduce((a, b) => a + b, 0));
    return {
      model: rubric.model,
      rubric: rubric.id,
      judgments: answers,
      group: { k: answers.length, llm_probability: g, label: g >= 0.5 ? 'llm' : 'human' },
      explanation: req.explain ? [{ feature: 'score_spread', value: logits[0], contribution: logits[0] }] : undefined,
      warnings: [],
    };
  }
}

/**
 * A text detector double on a REAL embedder (the tiny test encoder): per request it embeds the text,
 * its halves and its quarters, as the shipped heads do, and answers from the vector. It states its
 * cost as the real detector does (three passes); `calls` counts analyze() calls and `passes` the
 * encoder passes that completed.
 */
export class EncoderTextDetector implements TextDetector {
  readonly model = { id: 'test-double-encoder-text', version: '0.0.0-test' };
  readonly calls = { n: 0, passes: 0 };
  constructor(private readonly embedder: TextEmbedder) {}

  describe(): Record<string, unknown> {
    return { kind: 'test double on a real encoder', encoder: this.embedder.info.id };
  }

  cost(req: { text: string; segments?: boolean }): number {
    return REQUEST_OVERHEAD_TOKENS + 3 * estimateTokens(req.text.length);
  }

  async analyze(req: TextAnalysisRequest): Promise<TextAnalysis> {
    this.calls.n++;
    const opt = req.signal ? { signal: req.signal } : undefined;
    const whole = await this.embedder.embed(req.text, opt);
    this.calls.passes++;
    const words = req.text.split(/\s+/).filter(Boolean);
    const half = Math.max(1, Math.floor(words.length / 2));
    await this.embedder.embedMany([words.slice(0, half).join(' '), words.slice(half).join(' ') || req.text], opt);
    this.calls.passes++;
    const q = Math.max(1, Math.floor(words.length / 4));
    await this.embedder.embedMany([0, 1, 2, 3].map((k) => words.slice(k * q, (k + 1) * q).join(' ') || req.text), opt);
    this.calls.passes++;
    const p = sigmoid(whole.vector[0] * 4);
    const probabilities = { human_author: 1 - p, llm_creator: p / 3, llm_polisher: p / 3, llm_extender: p / 3 } as Record<Role, number>;
    const label = p > 0.5 ? 'llm_creator' : 'human_author';
    return {
      model: this.model,
      warnings: [],
      usage: { characters: req.text.length, tokens: whole.tokens, windows: whole.windows.length },
      role: { label, probabilities, confidence: 'low' },
      ai_probability: p,
      decision: decisionFor(p, DOUBLE_THRESHOLDS, req.maxFalsePositiveRate),
      involvement: { ratio: p, interval: [Math.max(0, p - 0.1), Math.min(1, p + 0.1)], coverage: 0.9 },
    };
  }
}
