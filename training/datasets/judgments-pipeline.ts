/**
 * The judgment training / evaluation pipeline shared by training/train-judgments.ts and
 * training/eval-judgments.ts: rubric definitions, data -> feature matrices (through
 * src/features/judgment.ts, the same code the server runs), head fitting with cross-validated L2 and
 * temperature, metrics (accuracy, F1, AUROC, groups of k), bias statistics.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import {
  JUDGMENT_FEATURE_VERSION,
  TEXT_FEATURE_VERSION,
  candidateFeatures,
  judgmentFeatureNames,
  judgmentFeatures,
  normalizeScore,
  type RubricDimensionSpec,
  type RubricSchema,
  type CandidateSpec,
} from '../../src/features/judgment.js';
import { LogisticModel, sigmoid } from '../../src/heads/logistic.js';
import { fitLogistic, fitTemperature } from '../fit/logistic.js';
import { CV_FOLDS, loadJdBench, mulberry32, shuffle, splitJudgments, type JudgmentDataset, type JudgmentRow, type SplitResult } from './judgments.js';
import { ICLR_LEVELS, loadHanna, loadIclr, loadTopicalChat } from './judgments-text.js';

export const RUBRIC_IDS = ['helpsteer2', 'helpsteer3', 'neurips_review', 'antique', 'topical_chat', 'hanna_story', 'iclr_review'] as const;
export type RubricId = (typeof RUBRIC_IDS)[number];

/** text features crossed with each dimension's z-score in text-bearing rubrics */
export const INTERACTION_FEATURES = [
  'word_count',
  'sentence_count',
  'avg_sentence_length',
  'vocab_diversity',
  'flesch_reading_ease',
  'list_count',
  'paragraph_count',
  'average_word_length',
  'hedging_frequency',
  'discourse_marker_rate',
];

export interface RubricDef {
  id: RubricId;
  description: string;
  judge: string;
  dimensions: RubricDimensionSpec[];
  candidate: CandidateSpec | null;
  load: (dataDir?: string) => JudgmentDataset;
}

const int = (name: string, min: number, max: number, extra: Partial<RubricDimensionSpec> = {}): RubricDimensionSpec => ({ name, min, max, integer: true, ...extra });

export const RUBRIC_DEFS: Record<RubricId, RubricDef> = {
  helpsteer2: {
    id: 'helpsteer2',
    description: 'HelpSteer2 response ratings (0-4 on five dimensions); human annotators vs GPT-4o. Scores only: the export has no candidate text.',
    judge: 'gpt-4o-2024-08-06',
    dimensions: ['helpfulness', 'correctness', 'coherence', 'complexity', 'verbosity'].map((d) => int(d, 0, 4)),
    candidate: null,
    load: (dir) => loadJdBench('helpsteer2', dir),
  },
  helpsteer3: {
    id: 'helpsteer3',
    description: 'HelpSteer3 pairwise preference (-3..3, response 1 vs 2); human annotators vs GPT-4o. Scores only.',
    judge: 'gpt-4o-2024-08-06',
    dimensions: [int('score', -3, 3)],
    candidate: null,
    load: (dir) => loadJdBench('helpsteer3', dir),
  },
  neurips_review: {
    id: 'neurips_review',
    description: 'NeurIPS paper reviews (rating 0-10, confidence 1-5, soundness / presentation / contribution 1-4); human reviewers vs GPT-4o. Scores only.',
    judge: 'gpt-4o-2024-08-06',
    dimensions: [int('rating', 0, 10), int('confidence', 1, 5), int('soundness', 1, 4), int('presentation', 1, 4), int('contribution', 1, 4)],
    candidate: null,
    load: (dir) => loadJdBench('neurips_review', dir),
  },
  antique: {
    id: 'antique',
    description: 'ANTIQUE passage ranking (rank 0-3 given to each of 3 retrieved passages); human assessors vs GPT-4o. Scores only.',
    judge: 'gpt-4o-2024-08-06',
    dimensions: ['ranking_0', 'ranking_1', 'ranking_2'].map((d) => int(d, 0, 3)),
    candidate: null,
    load: (dir) => loadJdBench('antique', dir),
  },
  topical_chat: {
    id: 'topical_chat',
    description:
      'Topical-Chat dialogue responses (USR): naturalness, coherence, engagingness 1-3, groundedness 0-1; human = mean of 3 annotators, LLM = ChatGPT (gpt-3.5-turbo, 4 prompt styles), mean of 3 samples. Scores may be means (e.g. 2.33); they are rounded to the integer scale on both sides.',
    judge: 'gpt-3.5-turbo (2023)',
    dimensions: [
      { name: 'naturalness', min: 1, max: 3, normalize: 'round' },
      { name: 'coherence', min: 1, max: 3, normalize: 'round' },
      { name: 'engagingness', min: 1, max: 3, normalize: 'round' },
      { name: 'groundedness', min: 0, max: 1, normalize: 'round' },
    ],
    candidate: { text_field: 'response', context_fields: ['prompt', 'knowledge'], required: ['response', 'prompt', 'knowledge'] },
    load: (dir) => loadTopicalChat(dir),
  },
  hanna_story: {
    id: 'hanna_story',
    description:
      'HANNA short stories written for a WritingPrompts prompt: relevance, coherence, empathy, surprise, engagement, complexity 1-5; human = mean of 3 raters, LLM = Beluga-13B / OrcaPlatypus / Mistral-7B / Llama-13B / ChatGPT (mean of 3 generations). Scores are rounded to the integer scale on both sides.',
    judge: 'Beluga-13B, OrcaPlatypus, Mistral-7B, Llama-13B, ChatGPT',
    dimensions: ['relevance', 'coherence', 'empathy', 'surprise', 'engagement', 'complexity'].map((d) => ({ name: d, min: 1, max: 5, normalize: 'round' as const })),
    candidate: { text_field: 'story', context_fields: ['prompt'], required: ['story', 'prompt'] },
    load: (dir) => loadHanna(dir),
  },
  iclr_review: {
    id: 'iclr_review',
    description:
      'ICLR 2022 paper reviews, overall rating 1-10 of the paper text; human reviewers vs AI-Scientist LLM reviewers (GPT-4o, Claude 3.5 Sonnet, GPT-4o-mini). Every rating is mapped to the largest ICLR level {1,3,5,6,8,10} not above it.',
    judge: 'gpt-4o-2024-05-13, claude-3-5-sonnet-20240620, gpt-4o-mini-2024-07-18',
    dimensions: [int('rating', 1, 10, { levels: ICLR_LEVELS, normalize: 'floor_to_levels' })],
    candidate: { text_field: 'paper', context_fields: [], required: ['paper'], max_chars: 100_000 },
    load: (dir) => loadIclr(dir),
  },
};

export function makeSchema(def: RubricDef, trainRows: JudgmentRow[], withCandidate: boolean): RubricSchema {
  const score_stats: RubricSchema['score_stats'] = {};
  for (const d of def.dimensions) {
    const v = trainRows.map((r) => normalizeScore(d, r.scores[d.name]));
    const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length));
    score_stats[d.name] = { mean, sd };
  }
  const candidate = withCandidate ? def.candidate : null;
  return {
    id: def.id,
    description: def.description,
    dimensions: def.dimensions,
    candidate_fields: candidate ? candidate.required : [],
    scores_only: !candidate,
    candidate,
    features: { one_hot: true, pairwise: def.dimensions.length >= 2, candidate: !!candidate, interactions: candidate ? INTERACTION_FEATURES : [] },
    score_stats,
    ...(candidate ? { text_feature_version: TEXT_FEATURE_VERSION } : {}),
    feature_version: JUDGMENT_FEATURE_VERSION,
  };
}

export interface Prepared {
  def: RubricDef;
  data: JudgmentDataset;
  split: SplitResult;
  train: JudgmentRow[];
  test: JudgmentRow[];
  /** candidate features per candidate id (computed once) */
  candFeats: Map<string, Float64Array>;
}

export function prepare(id: RubricId, dataDir?: string, log: (m: string) => void = () => {}): Prepared {
  const def = RUBRIC_DEFS[id];
  const data = def.load(dataDir);
  const split = splitJudgments(data.rows);
  const train = data.rows.filter((r) => split.split.get(r.id) === 'train');
  const test = data.rows.filter((r) => split.split.get(r.id) === 'test');
  const candFeats = new Map<string, Float64Array>();
  if (def.candidate) {
    const t0 = Date.now();
    for (const [cid, c] of data.candidates) candFeats.set(cid, candidateFeatures({ candidate: def.candidate }, c));
    log(`${id}: candidate features for ${candFeats.size} candidates in ${Date.now() - t0} ms`);
  }
  return { def, data, split, train, test, candFeats };
}

export function featureMatrix(p: Prepared, schema: RubricSchema, rows: JudgmentRow[]): Float64Array[] {
  return rows.map((r) => judgmentFeatures(schema, r.scores, schema.features.candidate ? p.candFeats.get(r.candidateId!) : undefined));
}

/** class-balancing weights: each class gets half the total weight */
export function balancedWeights(y: ArrayLike<number>): Float64Array {
  let n1 = 0;
  for (let i = 0; i < y.length; i++) n1 += y[i];
  const n0 = y.length - n1;
  return Float64Array.from(y, (v) => (v ? y.length / (2 * Math.max(1, n1)) : y.length / (2 * Math.max(1, n0))));
}

export const L2_GRID = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1];

export interface TrainedHead {
  model: LogisticModel;
  schema: RubricSchema;
  cv: { l2: number; folds: number; oof_logloss: Record<string, number>; temperature: number };
}

/** weighted mean log-loss of sigmoid(s) */
function logLoss(s: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>): number {
  let l = 0;
  let ws = 0;
  for (let i = 0; i < s.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(s[i])));
    l -= w[i] * (y[i] ? Math.log(p) : Math.log(1 - p));
    ws += w[i];
  }
  return l / ws;
}

/**
 * Fit the head on the training split: L2 chosen by CV log-loss (folds from the split), temperature fitted
 * on the out-of-fold log-odds of the chosen L2, final model on all training rows.
 */
export function trainHead(p: Prepared, withCandidate: boolean, log: (m: string) => void = () => {}): TrainedHead {
  const schema = makeSchema(p.def, p.train, withCandidate);
  const names = judgmentFeatureNames(schema);
  const X = featureMatrix(p, schema, p.train);
  const y = p.train.map((r) => r.label);
  const w = balancedWeights(y);
  const folds = p.train.map((r) => p.split.fold.get(r.id)!);
  const oofByL2: Record<string, number> = {};
  let best = { l2: L2_GRID[0], loss: Infinity, oof: new Float64Array(0) };
  // L2 path from strong to weak, each fit warm-started from the previous one of its fold
  const warm: (LogisticModel | null)[] = new Array(CV_FOLDS).fill(null);
  for (const l2 of [...L2_GRID].reverse()) {
    const oof = new Float64Array(X.length);
    for (let f = 0; f < CV_FOLDS; f++) {
      const tr = [] as number[];
      const va = [] as number[];
      folds.forEach((k, i) => (k === f ? va : tr).push(i));
      const prev = warm[f];
      const m = fitLogistic(
        tr.map((i) => X[i]),
        tr.map((i) => y[i]),
        {
          l2,
          features: names,
          classes: ['human', 'llm'],
          sampleWeights: tr.map((i) => w[i]),
          tolerance: 1e-6,
          ...(prev ? { init: { weights: prev.weights, intercepts: prev.intercepts } } : {}),
        },
      );
      warm[f] = m;
      for (const i of va) oof[i] = m.logOdds(X[i]);
    }
    const loss = logLoss(oof, y, w);
    oofByL2[String(l2)] = Number(loss.toFixed(5));
    if (loss < best.loss - 1e-9) best = { l2, loss, oof };
  }
  const T = fitTemperature(best.oof, y, w);
  const model = fitLogistic(X, y, { l2: best.l2, features: names, classes: ['human', 'llm'], sampleWeights: w });
  model.temperature = T;
  log(`${p.def.id}${withCandidate ? '' : ' (scores only)'}: ${names.length} features, l2 ${best.l2}, T ${T.toFixed(3)}, cv logloss ${best.loss.toFixed(4)}`);
  return { model, schema, cv: { l2: best.l2, folds: CV_FOLDS, oof_logloss: oofByL2, temperature: T } };
}

// ---------------------------------------------------------------------------------------------------
// metrics

export function auroc(scores: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let n1 = 0;
  let rankSum = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (y[idx[k]]) rankSum += avg;
    i = j + 1;
  }
  for (let k = 0; k < y.length; k++) n1 += y[k];
  const n0 = y.length - n1;
  if (n1 === 0 || n0 === 0) return Number.NaN;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

export interface BinaryMetrics {
  n: number;
  accuracy: number;
  f1: number;
  precision: number;
  recall: number;
  auroc: number;
}

/** scores are log-odds of "llm"; predicted llm when > 0 */
export function binaryMetrics(scores: ArrayLike<number>, y: ArrayLike<number>): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i] > 0 ? 1 : 0;
    if (p && y[i]) tp++;
    else if (p) fp++;
    else if (y[i]) fn++;
    else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const r4 = (v: number) => Number(v.toFixed(4));
  return {
    n: scores.length,
    accuracy: r4((tp + tn) / Math.max(1, scores.length)),
    f1: r4(precision + recall ? (2 * precision * recall) / (precision + recall) : 0),
    precision: r4(precision),
    recall: r4(recall),
    auroc: r4(auroc(scores, y)),
  };
}

export const GROUP_SIZES = [1, 2, 4, 8, 16];
export const GROUPS_PER_CLASS = 500;

/**
 * Balanced k=1 test set: all human test rows and as many LLM test rows (a seeded sample), or the whole
 * test split when the classes are within 10% of each other.
 */
export function balancedTest(rows: JudgmentRow[], seed = 7): JudgmentRow[] {
  const h = rows.filter((r) => r.label === 0);
  const l = rows.filter((r) => r.label === 1);
  if (Math.abs(h.length - l.length) <= 0.1 * Math.max(h.length, l.length)) return rows;
  const rand = mulberry32(seed);
  if (l.length > h.length) return [...h, ...shuffle(l, rand).slice(0, h.length)];
  return [...shuffle(h, rand).slice(0, l.length), ...l];
}

/**
 * Groups of k judgments from the test split only, all from one judge: for each class, GROUPS_PER_CLASS
 * groups; an LLM group picks one LLM judge (among those with >= k test rows) and k of its rows without
 * replacement; a human group takes k human rows. Group score = sum of calibrated log-odds.
 */
export function groupMetrics(rows: JudgmentRow[], logOdds: Map<string, number>, k: number, seed = 11): BinaryMetrics & { groups: number } {
  const rand = mulberry32(seed * 1000 + k);
  const scores: number[] = [];
  const ys: number[] = [];
  for (const label of [0, 1] as const) {
    const pool = rows.filter((r) => r.label === label);
    const byJudge = new Map<string, JudgmentRow[]>();
    for (const r of pool) byJudge.set(label ? r.judge : 'human', [...(byJudge.get(label ? r.judge : 'human') ?? []), r]);
    let judges = [...byJudge.entries()].filter(([, rs]) => rs.length >= k).map(([j]) => j).sort();
    const usePool = judges.length === 0;
    if (usePool && pool.length < k) continue;
    for (let g = 0; g < GROUPS_PER_CLASS; g++) {
      const src = usePool ? pool : byJudge.get(judges[Math.floor(rand() * judges.length)])!;
      // partial Fisher-Yates for k distinct rows
      const idx = Array.from({ length: src.length }, (_, i) => i);
      let s = 0;
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(rand() * (idx.length - i));
        [idx[i], idx[j]] = [idx[j], idx[i]];
        s += logOdds.get(src[idx[i]].id)!;
      }
      scores.push(s);
      ys.push(label);
    }
    judges = [];
  }
  return { ...binaryMetrics(scores, ys), groups: scores.length };
}

// ---------------------------------------------------------------------------------------------------
// bias

export interface DimensionBias {
  dimension: string;
  llm_mean: number;
  human_mean: number;
  llm_minus_human: number;
  cohens_d: number;
  /** the head's standardised weights (log-odds of "llm" per training sd) on this dimension's own features */
  head_weights: Record<string, number>;
}

export function biasReport(def: RubricDef, train: JudgmentRow[], model: LogisticModel): DimensionBias[] {
  const r4 = (v: number) => Number(v.toFixed(4));
  return def.dimensions.map((d) => {
    const h = train.filter((r) => r.label === 0).map((r) => normalizeScore(d, r.scores[d.name]));
    const l = train.filter((r) => r.label === 1).map((r) => normalizeScore(d, r.scores[d.name]));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const vari = (v: number[], m: number) => v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1);
    const mh = mean(h);
    const ml = mean(l);
    const pooled = Math.sqrt(((h.length - 1) * vari(h, mh) + (l.length - 1) * vari(l, ml)) / Math.max(1, h.length + l.length - 2));
    const head_weights: Record<string, number> = {};
    model.features.forEach((f, j) => {
      if (f === `score:${d.name}` || f === `z:${d.name}` || (f.startsWith(`${d.name}=`) && !f.includes('&'))) head_weights[f] = r4(model.weights[0][j]);
    });
    return {
      dimension: d.name,
      llm_mean: r4(ml),
      human_mean: r4(mh),
      llm_minus_human: r4(ml - mh),
      cohens_d: r4(pooled > 0 ? (ml - mh) / pooled : 0),
      head_weights,
    };
  });
}

export function topWeights(model: LogisticModel, n = 15): { feature: string; weight: number }[] {
  return model.features
    .map((f, j) => ({ feature: f, weight: Number(model.weights[0][j].toFixed(4)) }))
    .filter((x) => x.weight !== 0)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, n);
}

// ---------------------------------------------------------------------------------------------------
// model directory


export const JUDGMENT_CONFIG_FORMAT = 1;

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** (Re)writes <dir>/config.json listing every rubric folder and the sha256 of each of its files. */
export function writeJudgmentConfig(dir: string, version: string): void {
  const rubrics: Record<string, { files: Record<string, string> }> = {};
  for (const name of readdirSync(dir).sort()) {
    const sub = path.join(dir, name);
    if (!statSync(sub).isDirectory() || !existsSync(path.join(sub, 'rubric.json'))) continue;
    const files: Record<string, string> = {};
    for (const f of readdirSync(sub).sort()) if (statSync(path.join(sub, f)).isFile()) files[f] = sha256File(path.join(sub, f));
    rubrics[name] = { files };
  }
  const config = {
    format: JUDGMENT_CONFIG_FORMAT,
    version,
    feature_version: JUDGMENT_FEATURE_VERSION,
    text_feature_version: TEXT_FEATURE_VERSION,
    rubrics,
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}
