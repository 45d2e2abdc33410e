/**
 * The trained text heads as one object: standardiser -> role softmax (temperature-calibrated) ->
 * involvement ratio (mixture of per-role fractional-logit regressors, bounded to [0, 1]) ->
 * split-conformal interval. Loaded from models/heads/, which is self-describing:
 *   config.json        ids, encoder id + file sha256s, feature version, inputs, calibration,
 *                      training data, metrics, and the sha256 of every head file below
 *   standardizer.json  per-input mean / std
 *   role.json          softmax head (K = 4 roles)
 *   involvement.json   polisher and extender regressors + conformal quantiles
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROLES, type Role } from '../roles.js';
import { clippedInterval, intervalContaining } from './calibration.js';
import { MlpHead, type MlpHeadJSON } from './mlp.js';
import { lexiconVector, type LexiconJSON } from './lexicon.js';
import {
  FractionalLogit,
  SoftmaxHead,
  Standardizer,
  type FractionalLogitJSON,
  type SoftmaxHeadJSON,
  type StandardizerJSON,
} from './linear.js';

export const HEAD_FILES = ['standardizer.json', 'role.json', 'involvement.json'] as const;

export interface EncoderRef {
  id: string;
  version: string;
  dim: number;
  /** sha256 of the encoder's files, as listed in its config.json */
  files: Record<string, string>;
  /** sha256 of the ONNX file the training embeddings came from */
  trained_with: string;
}

export interface TextHeadsConfigBase {
  id: string;
  version: string;
  created: string;
  encoder: EncoderRef | null;
  feature_version: string;
  features: string[];
  embedding_dim: number;
  /**
   * true: the inputs also hold (second half - first half) of the features and of the embedding,
   * so the heads see a change of voice inside the text (an extended text starts human).
   */
  contrast?: boolean;
  /** true: the halves' difference also for the embedding (two more encoder passes per text) */
  contrast_embedding?: boolean;
  /**
   * true: the embedding of the text's first quarter minus the mean of its other three quarters' (textParts;
   * four more encoder passes of a quarter each), so the heads see a human start shorter than a half
   */
  quarter_embedding?: boolean;
  /**
   * true: the halves' and quarters' embeddings are pools of the token states of the whole text's one
   * encoder pass over their character spans (textPartRanges; the encoder's embedSpans), not passes of
   * their own: one pass per text. Absent / false: each half and quarter is embedded as a text of its own.
   */
  span_pooling?: boolean;
  /** the embedding input is taken from the first this many words (0 / absent = whole text) */
  embedding_max_words?: number;
  /** marker words (lexicon.json) whose rates are the last inputs; 0 / absent = none */
  lexicon_size?: number;
  /** experiments only (training/experiments/loso-sweep.ts): more columns just before the marker words; absent in served heads */
  extra_inputs?: number;
  roles: Role[];
  calibration: Record<string, unknown>;
  thresholds: { ai_probability: number; short_text_words: number; confidence: { high: number; medium: number }; [key: string]: unknown };
  training_data: Record<string, unknown>[];
  metrics?: Record<string, unknown>;
  /** issue 48: the languages the heads answer for (ISO 639-1); absent = no language is gated (heads before it) */
  languages?: { supported: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface TextHeadsConfig extends TextHeadsConfigBase {
  /** sha256 of every head file */
  files: Record<string, string>;
}

export type RatioMethod = 'role-mixture' | 'direct' | 'blend' | 'role-median' | 'role-consistent';

/** role-consistent's two settings (chosen on the validation split by MAE) */
export interface ConsistentRatioJSON {
  /** k: the mixture's weights are P(role)^k, normalised (1: the plain mixture mean; larger: nearer the likeliest role's value) */
  sharpness: number;
  /** s: how fast the band opens once another role leads (see consistentRatio) */
  band_slope: number;
}

export interface InvolvementJSON {
  /** how the ratio is formed from the role probabilities and the regressors */
  /**
   * role-mixture: P(creator) + P(polisher) g_P(x) + P(extender) g_E(x);
   * direct: one regressor g_D(x) over every row with a known ratio;
   * blend: the mean of the two;
   * role-median: the weighted median of the same mixture (0 with P(human), 1 with P(creator), g_P(x) with
   * P(polisher), g_E(x) with P(extender)): the point that minimises the expected absolute error when the
   * role probabilities are calibrated. It jumps from 0 to about 0.9 as P(human) crosses 1/2 and can
   * contradict the label (heads up to 1.0.0+4a364fd3).
   * role-consistent: the sharpened mixture mean held inside the label's band (consistentRatio): continuous
   * in the probabilities, at most 0.5 when human_author is the label, at least 0.5 when llm_creator is.
   */
  method: RatioMethod;
  /** role-consistent's settings */
  consistent?: ConsistentRatioJSON;
  /** each method's MAE on the validation split when the heads were fitted (the cost of the chosen one) */
  validation_mae?: Record<string, number>;
  /** the interval centres tried on the validation split, with their median interval width (the narrower is used) */
  interval_choice?: Record<string, { validation_median_width: number }>;
  /**
   * the method whose value centres the conformal interval (default: `method`). With role-median the
   * residuals around the median are all-or-nothing (a text read as human gets 0 whatever its true
   * share), so the interval is centred on the lowest-MAE mean-type estimate and stretched to contain
   * the point.
   */
  interval_method?: RatioMethod;
  polisher: FractionalLogitJSON;
  extender: FractionalLogitJSON;
  direct?: FractionalLogitJSON;
  conformal: {
    coverage: number;
    method: string;
    /** half-width of the interval, per predicted role (Mondrian split-conformal) */
    by_label: Record<string, number>;
    /** half-width over all validation rows, used when a label had too few rows */
    overall: number;
    n: Record<string, number>;
  };
}

export interface HeadPrediction {
  probabilities: Record<Role, number>;
  label: Role;
  labelIndex: number;
  aiProbability: number;
  ratio: number;
  interval: [number, number];
  coverage: number;
  /** the standardised inputs, for explanations */
  z: Float64Array;
}

/** what the involvement ratio is formed from: role probabilities (ROLES order), the two role regressors, the direct one */
export interface RatioParts {
  p: ArrayLike<number>;
  gP: number;
  gE: number;
  direct: number | undefined;
}

/** the weighted median of the role mixture: the smallest value whose cumulative probability reaches 1/2 */
export function roleMixtureMedian(p: ArrayLike<number>, gP: number, gE: number): number {
  const iH = ROLES.indexOf('human_author');
  const iC = ROLES.indexOf('llm_creator');
  const iP = ROLES.indexOf('llm_polisher');
  const iE = ROLES.indexOf('llm_extender');
  const pts: [number, number][] = [
    [0, p[iH]],
    [1, p[iC]],
    [gP, p[iP]],
    [gE, p[iE]],
  ];
  pts.sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (const [, w] of pts) total += w;
  let c = 0;
  for (const [v, w] of pts) {
    c += w;
    if (c >= total / 2) return v;
  }
  return pts[pts.length - 1][0];
}

/** how far the best other role leads role i (> 0: i is not the likeliest; <= 0: it is) */
function leadOver(p: ArrayLike<number>, i: number): number {
  let best = -Infinity;
  for (let j = 0; j < p.length; j++) if (j !== i && p[j] > best) best = p[j];
  return best - p[i];
}

/**
 * The role-consistent ratio: the mixture mean with weights P(role)^k (normalised), then clamped to
 * [lo, hi] with hi = 0.5 + min(0.5, s * max(0, lead over human_author)) and lo = 0.5 - min(0.5, s *
 * max(0, lead over llm_creator)). So it is at most 0.5 whenever human_author is the likeliest role, at
 * least 0.5 whenever llm_creator is, and 0.5 exactly on their tie; every piece is continuous in the
 * probabilities and the regressors, so a small change of the input moves it a little (its slope in any
 * one probability is at most max(k / min over roles of P, s); see test/heads/ratio-consistent.test.ts).
 */
export function consistentRatio(p: ArrayLike<number>, gP: number, gE: number, c: ConsistentRatioJSON): number {
  const iH = ROLES.indexOf('human_author');
  const iC = ROLES.indexOf('llm_creator');
  const iP = ROLES.indexOf('llm_polisher');
  const iE = ROLES.indexOf('llm_extender');
  const w = (i: number) => Math.pow(Math.max(0, p[i]), c.sharpness);
  const total = w(iH) + w(iC) + w(iP) + w(iE);
  const m = total > 0 ? (w(iC) + w(iP) * gP + w(iE) * gE) / total : 0.5;
  const hi = 0.5 + Math.min(0.5, c.band_slope * Math.max(0, leadOver(p, iH)));
  const lo = 0.5 - Math.min(0.5, c.band_slope * Math.max(0, leadOver(p, iC)));
  return Math.min(hi, Math.max(lo, m));
}

/** the involvement ratio (clipped to [0, 1]) by the heads' method */
export function combineRatio(method: RatioMethod, parts: RatioParts, consistent?: ConsistentRatioJSON): number {
  const iC = ROLES.indexOf('llm_creator');
  const iP = ROLES.indexOf('llm_polisher');
  const iE = ROLES.indexOf('llm_extender');
  const mixture = parts.p[iC] + parts.p[iP] * parts.gP + parts.p[iE] * parts.gE;
  let r = mixture;
  if (method === 'role-consistent') {
    if (!consistent) throw new Error('role-consistent needs its settings (involvement.json consistent)');
    r = consistentRatio(parts.p, parts.gP, parts.gE, consistent);
  } else if (method === 'role-median') r = roleMixtureMedian(parts.p, parts.gP, parts.gE);
  else if (method === 'direct' && parts.direct !== undefined) r = parts.direct;
  else if (method === 'blend' && parts.direct !== undefined) r = (mixture + parts.direct) / 2;
  return Math.min(1, Math.max(0, r));
}

/** the role head: linear softmax or linear + small ReLU network */
export type RoleHead = SoftmaxHead | MlpHead;
export type RoleHeadJSON = SoftmaxHeadJSON | MlpHeadJSON;

export function roleHeadFrom(json: RoleHeadJSON): RoleHead {
  return json.type === 'mlp' ? new MlpHead(json) : new SoftmaxHead(json);
}

export function roleHeadWidth(json: RoleHeadJSON): number {
  return json.type === 'mlp' ? json.W.length / json.classes.length : json.weights[0].length;
}

export function sha256Hex(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

export class TextHeads {
  readonly standardizer: Standardizer;
  readonly role: RoleHead;
  readonly polisher: FractionalLogit;
  readonly extender: FractionalLogit;
  readonly direct: FractionalLogit | null;

  constructor(
    readonly config: TextHeadsConfig,
    std: StandardizerJSON,
    role: RoleHeadJSON,
    readonly involvement: InvolvementJSON,
    readonly lexicon: LexiconJSON | null = null,
  ) {
    if ((config.lexicon_size ?? 0) !== (lexicon?.tokens.length ?? 0)) throw new Error('config lexicon_size differs from lexicon.json');
    this.standardizer = new Standardizer(std);
    this.role = roleHeadFrom(role);
    this.polisher = new FractionalLogit(involvement.polisher);
    this.extender = new FractionalLogit(involvement.extender);
    this.direct = involvement.direct ? new FractionalLogit(involvement.direct) : null;
    if (involvement.method === 'role-consistent' && !(involvement.consistent && involvement.consistent.sharpness > 0 && involvement.consistent.band_slope > 0))
      throw new Error('involvement.json: role-consistent needs consistent.sharpness and consistent.band_slope > 0');
    const d = std.inputs.length;
    if (roleHeadWidth(role) !== d) throw new Error('role head width differs from the inputs');
    if (involvement.polisher.weights.length !== d || involvement.extender.weights.length !== d)
      throw new Error('involvement head width differs from the inputs');
    if (inputWidth(config) !== d) throw new Error('config inputs differ from the standardizer');
  }

  get inputs(): string[] {
    return this.standardizer.json.inputs;
  }

  /** Reads and checks models/heads: throws Error(reason) on a missing, altered or inconsistent file. */
  static async load(dir: string): Promise<TextHeads> {
    let cfgRaw: Buffer;
    try {
      cfgRaw = await readFile(path.join(dir, 'config.json'));
    } catch (err) {
      throw new Error(`${path.join(dir, 'config.json')} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    let config: TextHeadsConfig;
    try {
      config = JSON.parse(cfgRaw.toString('utf8')) as TextHeadsConfig;
    } catch (err) {
      throw new Error(`config.json is not valid JSON: ${(err as Error).message}`);
    }
    const parts: Record<string, unknown> = {};
    const names: string[] = [...HEAD_FILES];
    if ((config.lexicon_size ?? 0) > 0) names.push('lexicon.json');
    for (const name of names) {
      const want = config.files?.[name];
      if (!want) throw new Error(`config.json lists no sha256 for ${name}`);
      let raw: Buffer;
      try {
        raw = await readFile(path.join(dir, name));
      } catch (err) {
        throw new Error(`${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const got = sha256Hex(raw);
      if (got !== want) throw new Error(`${name} has sha256 ${got.slice(0, 12)}..., config.json expects ${want.slice(0, 12)}...`);
      parts[name] = JSON.parse(raw.toString('utf8'));
    }
    return new TextHeads(
      config,
      parts['standardizer.json'] as StandardizerJSON,
      parts['role.json'] as RoleHeadJSON,
      parts['involvement.json'] as InvolvementJSON,
      (parts['lexicon.json'] as LexiconJSON | undefined) ?? null,
    );
  }

  /** role probabilities only (segments) */
  roleProbabilities(x: ArrayLike<number>): number[] {
    return this.role.probs(this.standardizer.apply(x));
  }

  predict(x: ArrayLike<number>): HeadPrediction {
    const z = this.standardizer.apply(x);
    const p = this.role.probs(z);
    let k = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[k]) k = c;
    const probabilities = {} as Record<Role, number>;
    ROLES.forEach((r, i) => (probabilities[r] = p[i]));
    const gP = this.polisher.predict(z);
    const gE = this.extender.predict(z);
    const parts = { p, gP, gE, direct: this.direct?.predict(z) };
    const ratio = combineRatio(this.involvement.method, parts, this.involvement.consistent);
    const center = this.involvement.interval_method ? combineRatio(this.involvement.interval_method, parts, this.involvement.consistent) : ratio;
    const conf = this.involvement.conformal;
    const q = conf.by_label[ROLES[k]] ?? conf.overall;
    return {
      probabilities,
      label: ROLES[k],
      labelIndex: k,
      aiProbability: 1 - p[ROLES.indexOf('human_author')],
      ratio,
      interval: intervalContaining(clippedInterval(center, Number.isFinite(q) ? q : 1), ratio),
      coverage: conf.coverage,
      z,
    };
  }

  /**
   * Signed contributions to the centred calibrated logit of class k (exact: they and the intercept
   * sum to it). Text features one by one (their halves' difference as `halves_delta.<name>`); the
   * embedding's dimensions summed into one entry (its halves' difference into another, the first
   * quarter's difference into a third).
   */
  explain(x: ArrayLike<number>, z: Float64Array, k: number, top = 8): { feature: string; value: number; contribution: number }[] {
    const contrib = this.role.contributions(z, k);
    const terms = contrib.terms;
    const { features, embedding_dim: ne } = this.config;
    const nf = features.length;
    const rj = this.role.json;
    const d = terms.length;
    const w = rj.type === 'mlp' ? rj.W.slice(k * d, (k + 1) * d) : rj.weights[k];
    const out: { feature: string; value: number; contribution: number }[] = [];
    const group = (name: string, from: number, to: number) => {
      let s = 0;
      let dot = 0;
      let nx = 0;
      let nw = 0;
      for (let j = from; j < to; j++) {
        s += terms[j];
        dot += w[j] * z[j];
        nx += z[j] * z[j];
        nw += w[j] * w[j];
      }
      // value: cosine between the standardised block and the class's weight direction
      out.push({ feature: name, value: nx > 0 && nw > 0 ? dot / Math.sqrt(nx * nw) : 0, contribution: s });
    };
    let o = 0;
    for (let j = 0; j < nf; j++) out.push({ feature: features[j], value: x[o + j], contribution: terms[o + j] });
    o += nf;
    if (this.config.contrast) {
      for (let j = 0; j < nf; j++) out.push({ feature: `halves_delta.${features[j]}`, value: x[o + j], contribution: terms[o + j] });
      o += nf;
    }
    if (ne > 0) {
      group('encoder_embedding', o, o + ne);
      o += ne;
      const deltas = embeddingDeltas(this.config);
      if (deltas.halves) {
        group('halves_delta.encoder_embedding', o, o + ne);
        o += ne;
      }
      if (deltas.quarter) group('first_quarter_delta.encoder_embedding', o, o + ne);
    }
    if (this.lexicon) {
      o = d - this.lexicon.tokens.length;
      this.lexicon.tokens.forEach((t, i) => out.push({ feature: `marker_word.${t}`, value: x[o + i], contribution: terms[o + i] }));
    }
    if ('rest' in contrib) out.push({ feature: 'network_interactions', value: 0, contribution: contrib.rest as number });
    out.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return out.slice(0, top).map((c) => ({
      feature: c.feature,
      value: Number.isFinite(c.value) ? c.value : 0,
      contribution: c.contribution,
    }));
  }
}

/** number of inputs the heads take */
type Shape = Pick<TextHeadsConfigBase, 'features' | 'embedding_dim' | 'contrast' | 'contrast_embedding' | 'quarter_embedding' | 'lexicon_size' | 'extra_inputs'>;

/** which differences of the embedding follow it (both need the halves' contrast) */
function embeddingDeltas(c: Pick<Shape, 'contrast' | 'contrast_embedding' | 'quarter_embedding'>): { halves: boolean; quarter: boolean } {
  return { halves: !!(c.contrast && c.contrast_embedding), quarter: !!(c.contrast && c.quarter_embedding) };
}

export function inputWidth(c: Shape): number {
  const nf = c.features.length;
  const ne = c.embedding_dim;
  const d = embeddingDeltas(c);
  return nf * (c.contrast ? 2 : 1) + ne * (1 + Number(d.halves) + Number(d.quarter)) + (c.extra_inputs ?? 0) + (c.lexicon_size ?? 0);
}

/** the lexicon inputs of a text (empty without a lexicon) */
export function lexiconInputs(lex: LexiconJSON | null, text: string): Float64Array {
  return lex ? lexiconVector(lex, text) : new Float64Array(0);
}

/** input names, in the order of assembleInputs */
export function inputNamesFor(features: string[], embDim: number, contrast: boolean, lexicon: string[] = [], contrastEmbedding = false, quarterEmbedding = false): string[] {
  const emb = Array.from({ length: embDim }, (_, j) => `emb_${j}`);
  const lex = lexicon.map((t) => `marker_word.${t}`);
  return [
    ...features,
    ...(contrast ? features.map((f) => `halves_delta.${f}`) : []),
    ...emb,
    ...(contrast && contrastEmbedding ? emb.map((e) => `halves_delta.${e}`) : []),
    ...(contrast && quarterEmbedding ? emb.map((e) => `first_quarter_delta.${e}`) : []),
    ...lex,
  ];
}

export interface InputParts {
  /** features of the whole text */
  f: ArrayLike<number>;
  /** features of its first and second half (contrast heads; absent = no change: delta 0) */
  fA?: ArrayLike<number>;
  fB?: ArrayLike<number>;
  /** embedding of the whole text and of its halves */
  e?: ArrayLike<number> | null;
  eA?: ArrayLike<number> | null;
  eB?: ArrayLike<number> | null;
  /** embeddings of the text's four quarters (quarter_embedding heads; absent = delta 0) */
  eQ?: ArrayLike<number>[] | null;
  /** marker-word rates (lexiconVector), last */
  lex?: ArrayLike<number> | null;
}

/** [f, (fB - fA), e, (eB - eA), (eQ1 - mean(eQ2..4)), lex]: the one layout training and serving share */
export function assembleInputs(c: Shape, p: InputParts): Float64Array {
  const nf = c.features.length;
  const ne = c.embedding_dim;
  const x = new Float64Array(inputWidth(c));
  let o = 0;
  for (let j = 0; j < nf; j++) x[o + j] = p.f[j];
  o += nf;
  if (c.contrast) {
    if (p.fA && p.fB) for (let j = 0; j < nf; j++) x[o + j] = p.fB[j] - p.fA[j];
    o += nf;
  }
  if (ne > 0) {
    if (p.e) for (let j = 0; j < ne; j++) x[o + j] = p.e[j];
    o += ne;
    const deltas = embeddingDeltas(c);
    if (deltas.halves) {
      if (p.eA && p.eB) for (let j = 0; j < ne; j++) x[o + j] = p.eB[j] - p.eA[j];
      o += ne;
    }
    if (deltas.quarter) {
      const q = p.eQ;
      if (q && q.length === 4) for (let j = 0; j < ne; j++) x[o + j] = q[0][j] - (q[1][j] + q[2][j] + q[3][j]) / 3;
      o += ne;
    }
  }
  const nl = c.lexicon_size ?? 0;
  if (nl > 0 && p.lex) for (let j = 0; j < nl; j++) x[o + j] = p.lex[j];
  return x;
}
