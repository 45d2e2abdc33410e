/**
 * Contracts between the HTTP layer (routes) and the detectors. Detectors know nothing of HTTP;
 * routes know nothing of onnxruntime. Every detector answer is built from
 * features + embedding -> head -> calibration.
 */

import { estimateTokens, REQUEST_OVERHEAD_TOKENS } from '../encoder/cost.js';
import type { Role } from '../roles.js';

/** the role vocabulary lives in src/roles.ts (below heads and detectors); re-exported for the routes and schemas */
export { ROLES, type Role } from '../roles.js';

export type TextTask = 'role' | 'involvement';

export interface ModelRef {
  id: string;
  version: string;
}

export interface Contribution {
  feature: string;
  value: number;
  contribution: number;
}

export interface TextAnalysisRequest {
  text: string;
  tasks: TextTask[];
  segments: boolean;
  explain: boolean;
  /** the decision's bound on the share of human texts flagged (0.01, 0.05 or 0.1; default 0.05) */
  maxFalsePositiveRate?: number;
  /** aborted when the request's deadline passes or the client goes away */
  signal?: AbortSignal;
}

export interface RoleAnswer {
  label: Role;
  probabilities: Record<Role, number>;
  confidence: 'low' | 'medium' | 'high';
}

export interface InvolvementAnswer {
  ratio: number;
  interval: [number, number];
  coverage: number;
}

/** the false-positive rates a caller may ask the decision for, and the keys of their validation thresholds */
export const DECISION_FPRS = { 0.01: 'fpr_0_01', 0.05: 'fpr_0_05', 0.1: 'fpr_0_10' } as const;
export const DECISION_RATES = Object.keys(DECISION_FPRS).map(Number);
/** "0.01, 0.05 or 0.1" */
export const DECISION_RATES_TEXT = `${DECISION_RATES.slice(0, -1).join(', ')} or ${DECISION_RATES[DECISION_RATES.length - 1]}`;
export const DEFAULT_MAX_FPR = 0.05;

/**
 * flagged = ai_probability >= the threshold expected to flag that share of the human texts of a data set the
 * heads were not trained on (thresholds.by_heldout_fpr, estimated leave-one-source-out; heads without it:
 * the share of the validation split's human texts, thresholds.by_validation_fpr)
 */
export interface Decision {
  flagged: boolean;
  threshold: number;
  max_false_positive_rate: number;
  /** false when the models cannot decide for this text (then flagged is false and reason says why); absent: applicable */
  applicable?: false;
  reason?: DecisionReason;
}

/** why a decision is not applicable: unsupported_language = the text's language is not in the heads' languages.supported */
export type DecisionReason = 'unsupported_language';

/** the text's language (issue 48): ISO 639-1 code or 'und', the identifier's score, and whether the heads support it */
export interface LanguageAnswer {
  code: string;
  confidence: number;
  /** absent when the language is undetermined or the heads list no languages */
  supported?: boolean;
  /** present (true) when the text has too few words to be sure of its language (src/features/language.ts MIN_WORDS): named, not acted on */
  uncertain?: true;
}

export interface Segment {
  start: number;
  end: number;
  ai_probability: number;
}

export interface TextUsage {
  characters: number;
  tokens: number;
  windows: number;
}

export interface TextAnalysis {
  model: ModelRef;
  role?: RoleAnswer;
  involvement?: InvolvementAnswer;
  ai_probability?: number;
  decision?: Decision;
  segments?: Segment[];
  explanation?: Contribution[];
  /** absent only from detectors that do not identify languages (test doubles) */
  language?: LanguageAnswer;
  warnings: string[];
  usage: TextUsage;
}

export interface TextDetector {
  readonly model: ModelRef;
  /** what /v1/models shows: encoder, heads, training data, metrics */
  describe(): Record<string, unknown>;
  analyze(req: TextAnalysisRequest): Promise<TextAnalysis>;
  /**
   * The work analyze() would do for this request, in estimated encoder tokens (all passes, from
   * characters; no tokenization), for admission control. Absent: the route estimates one pass.
   */
  cost?(req: { text: string; segments?: boolean }): number;
}

/** The estimated encoder tokens of analysing one text: the detector's own estimate, else one pass. */
export function textCost(detector: TextDetector, req: { text: string; segments?: boolean }): number {
  return detector.cost ? detector.cost(req) : REQUEST_OVERHEAD_TOKENS + estimateTokens(req.text.length);
}

export interface RubricDimension {
  name: string;
  min: number;
  max: number;
  /** true when only integers are valid */
  integer?: boolean;
}

export interface RubricDescription {
  id: string;
  description: string;
  dimensions: RubricDimension[];
  /** candidate fields the head reads, e.g. ["prompt", "response"]; empty for scores-only rubrics */
  candidate_fields: string[];
  scores_only: boolean;
  metrics: Record<string, unknown>;
  bias: Record<string, unknown>[];
  model: ModelRef;
}

export interface Judgment {
  candidate?: Record<string, string>;
  scores: Record<string, number>;
}

export interface JudgmentRequest {
  rubric: string;
  judgments: Judgment[];
  explain: boolean;
  signal?: AbortSignal;
}

export interface JudgmentAnswer {
  llm_probability: number;
  label: 'llm' | 'human';
}

export interface JudgmentDetection {
  model: ModelRef;
  rubric: string;
  judgments: JudgmentAnswer[];
  group: { k: number; llm_probability: number; label: 'llm' | 'human' };
  explanation?: Contribution[];
  warnings: string[];
}

export interface JudgmentDetector {
  rubrics(): RubricDescription[];
  /** throws InputError for an unknown rubric, unknown dimension or out-of-range score */
  detect(req: JudgmentRequest): Promise<JudgmentDetection>;
}

/** A model the route needs is not loaded: answered as 503 problem+json naming the model. */
export class ModelUnavailableError extends Error {
  constructor(
    public readonly modelName: string,
    public readonly reason: string,
  ) {
    super(`model ${modelName} is not available: ${reason}`);
    this.name = 'ModelUnavailableError';
  }
}

/** Input that passed schema validation but is still wrong (e.g. unknown rubric): 400 with the JSON path. */
export class InputError extends Error {
  constructor(
    message: string,
    public readonly path: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** The work queue is full: 503 with Retry-After. */
export class OverloadedError extends Error {
  constructor(public readonly retryAfterSeconds = 1) {
    super('the service is at capacity; retry later');
    this.name = 'OverloadedError';
  }
}

/** The request's deadline passed before its work finished: 504. */
export class DeadlineError extends Error {
  constructor(message = 'the request deadline passed before the work finished') {
    super(message);
    this.name = 'DeadlineError';
  }
}
