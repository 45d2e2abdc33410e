/**
 * Judgment features: (rubric, scores, candidate) -> named feature vector. Pure, no I/O; training and
 * serving both call `judgmentFeatures` (one code path).
 *
 * Families (each feature name says its family):
 * - `score:<dim>`            the dimension's score after the rubric's normalisation (see `normalizeScore`)
 * - `z:<dim>`                (score - training mean) / training sd, within the rubric
 * - `spread:sd_z`, `spread:range`, `spread:mean_unit`   across dimensions (rubrics with >= 2 dimensions)
 * - `<dim>=<level>`          one-hot of the (normalised) score level
 * - `<a>=<la>&<b>=<lb>`      one-hot of a pair of levels (pairwise score combinations)
 * - `text:<feature>`         asinh of the candidate's text feature (src/features/text.ts)
 * - `cand:<field>_length_ratio|overlap|coverage`  candidate vs prompt-like fields
 * - `z:<dim>*text:<feature>` and `z:<dim>*cand:<...>`   score x candidate interactions
 */
import { TEXT_FEATURES, TEXT_FEATURE_VERSION, extractTextFeatures } from './text.js';

export const JUDGMENT_FEATURE_VERSION = 'judgment-features/1.0.0';

/**
 * How raw client scores are mapped before features are computed (also applied to the training data):
 * - `none`: used as is
 * - `round`: rounded to the nearest integer (half away from zero); used where one side's scores are
 *   means of 3 (HANNA, Topical-Chat) so both sides end on the same integer scale
 * - `floor_to_levels`: the largest level <= the score (ICLR: 1-10 onto {1,3,5,6,8,10})
 */
export type ScoreNormalization = 'none' | 'round' | 'floor_to_levels';

export interface RubricDimensionSpec {
  name: string;
  min: number;
  max: number;
  integer?: boolean;
  /** levels used for one-hot features (after normalisation); default: integers min..max */
  levels?: number[];
  normalize?: ScoreNormalization;
  description?: string;
}

export interface CandidateSpec {
  /** the field whose text features are used (e.g. "response", "story", "paper") */
  text_field: string;
  /** fields compared with the text field (length ratio, lexical overlap), e.g. ["prompt"] */
  context_fields: string[];
  /** required fields (a request without them is rejected) */
  required: string[];
  /** truncate the text field to this many characters before extracting features (papers are long) */
  max_chars?: number;
}

export interface FeatureOptions {
  one_hot: boolean;
  pairwise: boolean;
  /** text features of the candidate + candidate-vs-context features */
  candidate: boolean;
  /** text feature names crossed with every dimension's z-score */
  interactions: string[];
}

export interface RubricSchema {
  id: string;
  description: string;
  dimensions: RubricDimensionSpec[];
  /** candidate fields the head reads; [] for scores-only rubrics */
  candidate_fields: string[];
  scores_only: boolean;
  candidate: CandidateSpec | null;
  features: FeatureOptions;
  /** training-set mean / sd of each normalised dimension (for z-scores) */
  score_stats: Record<string, { mean: number; sd: number }>;
  text_feature_version?: string;
  feature_version: string;
}

export function normalizeScore(dim: RubricDimensionSpec, v: number): number {
  switch (dim.normalize ?? 'none') {
    case 'round':
      return Math.sign(v) * Math.round(Math.abs(v));
    case 'floor_to_levels': {
      const levels = levelsOf(dim);
      let best = levels[0];
      for (const l of levels) if (l <= v + 1e-9) best = l;
      return best;
    }
    default:
      return v;
  }
}

export function levelsOf(dim: RubricDimensionSpec): number[] {
  if (dim.levels && dim.levels.length > 0) return [...dim.levels].sort((a, b) => a - b);
  const out: number[] = [];
  for (let v = Math.ceil(dim.min); v <= Math.floor(dim.max); v++) out.push(v);
  return out;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4))));

const TEXT_NAMES = TEXT_FEATURES.map((f) => f.name);
const CONTEXT_SUFFIXES = ['length_ratio', 'overlap', 'coverage'] as const;

/** feature names, in vector order */
export function judgmentFeatureNames(rubric: Pick<RubricSchema, 'dimensions' | 'features' | 'candidate'>): string[] {
  const names: string[] = [];
  const dims = rubric.dimensions;
  for (const d of dims) names.push(`score:${d.name}`);
  for (const d of dims) names.push(`z:${d.name}`);
  if (dims.length >= 2) names.push('spread:sd_z', 'spread:range', 'spread:mean_unit');
  if (rubric.features.one_hot) for (const d of dims) for (const l of levelsOf(d)) names.push(`${d.name}=${fmt(l)}`);
  if (rubric.features.pairwise) {
    for (let a = 0; a < dims.length; a++)
      for (let b = a + 1; b < dims.length; b++)
        for (const la of levelsOf(dims[a]))
          for (const lb of levelsOf(dims[b])) names.push(`${dims[a].name}=${fmt(la)}&${dims[b].name}=${fmt(lb)}`);
  }
  if (rubric.features.candidate && rubric.candidate) {
    for (const n of TEXT_NAMES) names.push(`text:${n}`);
    for (const f of rubric.candidate.context_fields) for (const s of CONTEXT_SUFFIXES) names.push(`cand:${f}_${s}`);
    const inter = interactionSources(rubric);
    for (const d of dims) for (const s of inter) names.push(`z:${d.name}*${s}`);
  }
  return names;
}

function interactionSources(rubric: Pick<RubricSchema, 'features' | 'candidate'>): string[] {
  const out: string[] = [];
  for (const n of rubric.features.interactions) {
    if (!TEXT_NAMES.includes(n)) throw new Error(`judgment features: unknown text feature "${n}" in interactions`);
    out.push(`text:${n}`);
  }
  for (const f of rubric.candidate?.context_fields ?? []) out.push(`cand:${f}_overlap`, `cand:${f}_length_ratio`);
  return out;
}

const WORD_RE = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

function wordsOf(text: string, maxChars = 200_000): string[] {
  return (text.length > maxChars ? text.slice(0, maxChars) : text).toLowerCase().match(WORD_RE) ?? [];
}

/** candidate vs one context field: log length ratio, Jaccard overlap of word types, share of candidate types in the context */
export function contextFeatures(candidate: string, context: string): [number, number, number] {
  const a = wordsOf(candidate);
  const b = wordsOf(context);
  const ratio = Math.log((a.length + 1) / (b.length + 1));
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const w of sa) if (sb.has(w)) inter++;
  const union = sa.size + sb.size - inter;
  return [ratio, union > 0 ? inter / union : 0, sa.size > 0 ? inter / sa.size : 0];
}

/**
 * Candidate part of the vector (text features of the text field, then context features), computed once
 * per candidate (training caches it per candidate; serving computes it per judgment).
 */
export function candidateFeatures(rubric: Pick<RubricSchema, 'candidate'>, candidate: Record<string, string>): Float64Array {
  const spec = rubric.candidate;
  if (!spec) return new Float64Array(0);
  let text = candidate[spec.text_field] ?? '';
  if (spec.max_chars && text.length > spec.max_chars) text = text.slice(0, spec.max_chars);
  const tf = extractTextFeatures(text);
  const out = new Float64Array(tf.length + spec.context_fields.length * CONTEXT_SUFFIXES.length);
  for (let i = 0; i < tf.length; i++) out[i] = Math.asinh(tf[i]);
  let k = tf.length;
  for (const f of spec.context_fields) {
    const c = contextFeatures(text, candidate[f] ?? '');
    out[k++] = c[0];
    out[k++] = c[1];
    out[k++] = c[2];
  }
  return out;
}

/**
 * Full feature vector. `scores` must already be validated (every dimension present, in range);
 * normalisation is applied here. `cand` is `candidateFeatures(...)` (required when the rubric uses
 * candidate features).
 */
export function judgmentFeatures(rubric: RubricSchema, scores: Record<string, number>, cand?: Float64Array): Float64Array {
  const dims = rubric.dimensions;
  const out: number[] = [];
  const v = dims.map((d) => normalizeScore(d, scores[d.name]));
  const z = dims.map((d, i) => {
    const s = rubric.score_stats[d.name];
    return s && s.sd > 0 ? (v[i] - s.mean) / s.sd : 0;
  });
  out.push(...v, ...z);
  if (dims.length >= 2) {
    const mz = z.reduce((a, b) => a + b, 0) / z.length;
    const sdz = Math.sqrt(z.reduce((a, b) => a + (b - mz) ** 2, 0) / z.length);
    const unit = dims.map((d, i) => (d.max > d.min ? (v[i] - d.min) / (d.max - d.min) : 0));
    out.push(sdz, Math.max(...unit) - Math.min(...unit), unit.reduce((a, b) => a + b, 0) / unit.length);
  }
  const oh: number[][] = dims.map((d, i) => levelsOf(d).map((l) => (Math.abs(v[i] - l) < 1e-9 ? 1 : 0)));
  if (rubric.features.one_hot) for (const o of oh) out.push(...o);
  if (rubric.features.pairwise) {
    for (let a = 0; a < dims.length; a++)
      for (let b = a + 1; b < dims.length; b++) for (const x of oh[a]) for (const y of oh[b]) out.push(x * y);
  }
  if (rubric.features.candidate && rubric.candidate) {
    if (!cand) throw new Error('judgment features: candidate features missing');
    out.push(...cand);
    const idx = new Map<string, number>();
    TEXT_NAMES.forEach((n, i) => idx.set(`text:${n}`, i));
    rubric.candidate.context_fields.forEach((f, j) => {
      CONTEXT_SUFFIXES.forEach((s, k) => idx.set(`cand:${f}_${s}`, TEXT_NAMES.length + j * CONTEXT_SUFFIXES.length + k));
    });
    const inter = interactionSources(rubric).map((s) => cand[idx.get(s)!]);
    for (let i = 0; i < dims.length; i++) for (const c of inter) out.push(z[i] * c);
  }
  const arr = Float64Array.from(out);
  for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) arr[i] = 0;
  return arr;
}

export { TEXT_FEATURE_VERSION };
