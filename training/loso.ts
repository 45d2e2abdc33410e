/**
 * Leave-one-source-out (LOSO): retrain the text heads without one data set and predict it. Shared by
 * training/eval-text.ts (the LOSO metrics of the model card) and training/train-text.ts (the decision
 * thresholds, which are set so that their false-positive rate holds on a data set the heads never saw).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TextRow } from './datasets/text-common.js';
import { balancedWeights, CACHE_DIR, hashUnit, headData, stratum, withLexicon } from './datasets/text-pipeline.js';
import type { LexiconJSON } from '../src/heads/lexicon.js';
import { buildLexicon } from './fit/lexicon.js';
import { fitTextHeadsFrom, predictAll, thresholdAtRate } from './fit/text-heads.js';
import { inputNamesFor, TextHeads, type HeadPrediction, type InvolvementJSON, type RoleHeadJSON, type TextHeadsConfig } from '../src/heads/text-heads.js';
import type { StandardizerJSON } from '../src/heads/linear.js';
import { auroc } from './datasets/judgments-pipeline.js';
import { headRecipe, LEXICON_OPTS } from './recipe.js';

/** a fold's recipe: at most LOSO_CAP train rows per stratum, LOSO_EPOCHS epochs, LOSO_ITERATIONS L-BFGS iterations */
export const LOSO_CAP = 200;
export const LOSO_EPOCHS = 20;
const LOSO_ITERATIONS = 150;

export interface LosoFold {
  source: string;
  /** indices into the sample: every row of the held-out set */
  heldOut: number[];
  heldOutPreds: HeadPrediction[];
  /** indices into the sample: the other sets' validation rows (the fold's calibration rows) */
  validation: number[];
  validationPreds: HeadPrediction[];
}

export const select = <T>(xs: T[], idx: number[]): T[] => idx.map((i) => xs[i]);

/**
 * Retrains the heads of `config` without `source` (train split of the other sets, at most LOSO_CAP rows
 * per stratum, LOSO_EPOCHS epochs; marker words chosen again without it; calibrated on the others'
 * validation split) and predicts every sampled row of `source`. `X` are the heads' inputs of `sample`
 * with `lexiconSize` marker-word columns at the end.
 */
export function losoFold(source: string, sample: TextRow[], X: Float64Array[], config: TextHeadsConfig, lexiconSize: number): LosoFold {
  return heldOutFold(source, sample, X, config, lexiconSize, { train: (r) => r.source !== source, heldOut: (r) => r.source === source });
}

/** Which rows a fold may learn from (train and validation splits, never evaluation-only) and which it predicts. */
export interface FoldRule {
  train: (r: TextRow) => boolean;
  heldOut: (r: TextRow) => boolean;
}

/**
 * losoFold with any rule (issue 45's views: a group of sets, a generator class or a domain held out, or a
 * fold restricted to today's sets): fit on the train-split rows that `rule.train` accepts (at most LOSO_CAP
 * per stratum), calibrate on the validation rows it accepts, predict every row `rule.heldOut` accepts.
 */
export function heldOutFold(name: string, sample: TextRow[], X: Float64Array[], config: TextHeadsConfig, lexiconSize: number, rule: FoldRule): LosoFold {
  const tr = trainRowsWhere(sample, rule.train);
  const va = sample.map((r, i) => (r.split === 'validation' && !r.evalOnly && rule.train(r) ? i : -1)).filter((i) => i >= 0);
  const te = sample.map((r, i) => (rule.heldOut(r) ? i : -1)).filter((i) => i >= 0);
  const trRows = select(sample, tr);
  const lex: LexiconJSON | null = lexiconSize > 0 ? buildLexicon(trRows, LEXICON_OPTS) : null;
  const Xs = withLexicon(X, lexiconSize, sample.map((r) => r.text), lex);
  const inputs = inputNamesFor(config.features, config.embedding_dim, config.contrast ?? false, lex?.tokens ?? [], config.contrast_embedding ?? false, config.quarter_embedding ?? false);
  const recipe = { inputs, ...headRecipe(config.embedding_dim), epochs: LOSO_EPOCHS, maxIterations: LOSO_ITERATIONS };
  // a fold's fit depends only on its train and validation rows and their inputs: cached by them, so the card's
  // folds (eval-text.ts) reuse the fits that set the thresholds (train-text.ts) and a rerun refits nothing; labels
  // are not in the key (training/README.md: delete the folder after changing a loader's roles or PR)
  const key = createHash('sha256').update(JSON.stringify({ recipe, tr: tr.map((i) => sample[i].id), va: va.map((i) => sample[i].id) }));
  for (const i of [...tr, ...va]) key.update(new Uint8Array(Xs[i].buffer, Xs[i].byteOffset, Xs[i].byteLength));
  const file = path.join(CACHE_DIR, 'fold-heads', `${key.digest('hex').slice(0, 24)}.json`);
  let fitted: { standardizer: { json: StandardizerJSON }; role: { json: RoleHeadJSON }; involvement: InvolvementJSON };
  if (existsSync(file)) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { standardizer: StandardizerJSON; role: RoleHeadJSON; involvement: InvolvementJSON };
    fitted = { standardizer: { json: c.standardizer }, role: { json: c.role }, involvement: c.involvement };
  } else {
    fitted = fitTextHeadsFrom(headData(trRows, select(Xs, tr), balancedWeights(trRows)), headData(select(sample, va), select(Xs, va)), recipe);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ standardizer: fitted.standardizer.json, role: fitted.role.json, involvement: fitted.involvement }));
  }
  const h = new TextHeads({ ...config, lexicon_size: lex?.tokens.length ?? 0 }, fitted.standardizer.json, fitted.role.json, fitted.involvement, lex);
  return {
    source: name,
    heldOut: te,
    heldOutPreds: predictAll(h, select(Xs, te)),
    validation: va,
    validationPreds: predictAll(h, select(Xs, va)),
  };
}

/** The train-split rows (not evaluation-only) that `keep` accepts, at most LOSO_CAP per stratum, the smallest hashUnit(id) first; ascending. */
export function trainRowsWhere(sample: TextRow[], keep: (r: TextRow) => boolean): number[] {
  const perStratum = new Map<string, number>();
  return sample
    .map((r, i) => (r.split === 'train' && !r.evalOnly && keep(r) ? i : -1))
    .filter((i) => i >= 0)
    .sort((a, b) => hashUnit(sample[a].id) - hashUnit(sample[b].id))
    .filter((i) => {
      const k = stratum(sample[i]);
      const c = perStratum.get(k) ?? 0;
      perStratum.set(k, c + 1);
      return c < LOSO_CAP;
    })
    .sort((a, b) => a - b);
}

export interface LosoMean {
  macro_f1: number | null;
  mae: number | null;
  /** the held-out sets behind each mean */
  sources: string[];
  mae_sources: string[];
}

/**
 * The card's leave-one-source-out means over the held-out sets that `keep` accepts: macro-F1 over the
 * sets with at least two labelled roles in `sample` (so not hc3-plus and cheat, whose LLM rows have no
 * role, nor a human-only set), MAE over every set with a known PR (`null` where a set has none).
 */
export function losoMean(sample: TextRow[], scores: Record<string, { macro_f1: number | null; mae: number | null }>, keep: (s: string) => boolean = () => true): LosoMean {
  const rolesIn = (s: string) => new Set(sample.filter((r) => r.source === s && r.role).map((r) => r.role)).size;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const multi = Object.entries(scores).filter(([s, b]) => keep(s) && b.macro_f1 !== null && rolesIn(s) >= 2);
  const withPr = Object.entries(scores).filter(([s, b]) => keep(s) && b.mae !== null);
  return {
    macro_f1: mean(multi.map(([, b]) => b.macro_f1 as number)),
    mae: mean(withPr.map(([, b]) => b.mae as number)),
    sources: multi.map(([s]) => s),
    mae_sources: withPr.map(([s]) => s),
  };
}

export interface HeldoutRate {
  /** the false-positive rate asked for on a data set the heads never saw */
  rate: number;
  /** the share of the validation split's human texts that a threshold must flag to reach it */
  validation_rate: number;
  /** mean over the held-out sets of their human texts' FPR at validation_rate (at most `rate` when reached) */
  heldout_fpr: number;
  /** false when even the smallest validation rate tried (0.0005) leaves the mean held-out FPR above `rate` */
  reached: boolean;
  /** the held-out sets' FPR at validation_rate, each */
  by_source: Record<string, number>;
}

/**
 * How a false-positive rate set on the validation split carries over to unseen data sets: for each
 * fold, the threshold that flags a share q of the fold's validation human texts, and the share of the
 * held-out set's human texts it flags; averaged over the folds (each held-out set weighs the same).
 * For each asked rate, the largest q whose mean held-out FPR stays at or under it (the smallest q tried
 * when none does, with reached = false).
 */
export function heldoutRates(folds: LosoFold[], sample: TextRow[], rates: readonly number[], aggregate: 'mean' | 'max' = 'mean'): HeldoutRate[] {
  const human = (idx: number[], preds: HeadPrediction[]) =>
    preds.filter((_, j) => sample[idx[j]].role === 'human_author').map((p) => p.aiProbability).sort((a, b) => a - b);
  const parts = folds
    .map((f) => ({ source: f.source, val: human(f.validation, f.validationPreds), held: human(f.heldOut, f.heldOutPreds) }))
    .filter((p) => p.val.length > 0 && p.held.length > 0);
  const at = (q: number) => {
    const by: Record<string, number> = {};
    for (const p of parts) {
      const t = thresholdAtRate(p.val, q);
      by[p.source] = p.held.filter((v) => v >= t).length / p.held.length;
    }
    const vs = Object.values(by);
    // 'max': the worst held-out set's FPR instead of the mean over sets
    return { mean: aggregate === 'max' ? Math.max(0, ...vs) : vs.reduce((a, b) => a + b, 0) / Math.max(1, vs.length), by };
  };
  // q on a grid of 0.0005 from 0.0005 to 0.2; the mean held-out FPR rises with q
  const grid = Array.from({ length: 400 }, (_, i) => (i + 1) * 0.0005);
  return rates.map((rate) => {
    let best = { q: grid[0], ...at(grid[0]) };
    const reached = best.mean <= rate;
    for (const q of grid) {
      const r = at(q);
      if (r.mean <= rate) best = { q, ...r };
    }
    return { rate, validation_rate: Number(best.q.toFixed(4)), heldout_fpr: best.mean, reached, by_source: best.by };
  });
}

/** gede's fully generated essays (task, summary, task+summary prompts; not humanised or paraphrased) */
export function fullyGenerated(r: TextRow): boolean {
  return r.role === 'llm_creator' && !r.subset.includes('dipper') && !/rewrite-\d/.test(r.subset);
}

/**
 * A ranking diagnostic free of any threshold: how well `aiProbability` orders gede's human IELTS essays
 * below its fully generated essays (AUROC), and the IELTS FPR at the threshold that catches 90% of the
 * generated essays (set on gede itself, so what the best threshold could reach, not an operating point).
 */
export function gedeRanking(rows: TextRow[], aiProbability: number[]): { auroc_ielts_vs_generated: number; threshold_at_recall_0_90: number; fpr_human_ielts_at_recall_0_90: number } | null {
  const hI = aiProbability.filter((_, i) => rows[i].role === 'human_author' && rows[i].domain === 'essay-ielts');
  const gP = aiProbability.filter((_, i) => fullyGenerated(rows[i])).sort((a, b) => a - b);
  if (!hI.length || !gP.length) return null;
  const t90 = gP[Math.floor(gP.length * 0.1)];
  return {
    auroc_ielts_vs_generated: auroc([...hI, ...gP], [...hI.map(() => 0), ...gP.map(() => 1)]),
    threshold_at_recall_0_90: t90,
    fpr_human_ielts_at_recall_0_90: hI.filter((p) => p >= t90).length / hI.length,
  };
}
