/**
 * Loaders for human-vs-LLM judgment data (training and evaluation only; the server never imports this).
 *
 * Scores-only sets come from ../shared/data/jd-bench-scores ("Debug CSV/<set>.csv", one row per
 * judgment, label Human / LLM, GPT-4o judge). The README of that export says a fifth of each file's rows
 * was held back upstream for independent evaluation, so every row in these files is ours to split.
 * Text-bearing sets are in training/datasets/judgments-text.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../fit/random.js';
import { parseCsv, sharedDataDir } from './text-common.js';

export type JudgmentSplit = 'train' | 'test';

export interface JudgmentRow {
  /** unique within the rubric */
  id: string;
  rubric: string;
  /** 1 = LLM judge, 0 = human */
  label: 0 | 1;
  /** who judged: "human" or an LLM identity (model, prompt) */
  judge: string;
  /** scores after artefact removal, before the rubric's normalisation */
  scores: Record<string, number>;
  /** the judged item (split unit for text-bearing rubrics); null for scores-only rows */
  candidateId: string | null;
}

export interface JudgmentDataset {
  rubric: string;
  rows: JudgmentRow[];
  /** candidate texts by candidateId (empty for scores-only sets) */
  candidates: Map<string, Record<string, string>>;
  /** where the data came from and what was done to it */
  provenance: string[];
}

export function readCsv(file: string, delimiter = ','): Record<string, string>[] {
  const [head, ...rest] = parseCsv(readFileSync(file, 'utf8'), delimiter);
  return rest.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

/** rubric id -> file name and dimension columns in jd-bench-scores */
export const JD_BENCH_SETS = {
  helpsteer2: { file: 'helpsteer2.csv', dims: ['helpfulness', 'correctness', 'coherence', 'complexity', 'verbosity'] },
  helpsteer3: { file: 'helpsteer3.csv', dims: ['score'] },
  neurips_review: { file: 'neurips.csv', dims: ['rating', 'confidence', 'soundness', 'presentation', 'contribution'] },
  antique: { file: 'antique.csv', dims: ['ranking_0', 'ranking_1', 'ranking_2'] },
} as const;

export type ScoresOnlyRubric = keyof typeof JD_BENCH_SETS;

export function loadJdBench(rubric: ScoresOnlyRubric, dataDir = sharedDataDir()): JudgmentDataset {
  const spec = JD_BENCH_SETS[rubric];
  const file = path.join(dataDir, 'jd-bench-scores', 'Debug CSV', spec.file);
  const records = readCsv(file);
  const rows: JudgmentRow[] = [];
  records.forEach((r, i) => {
    const lab = r.label?.trim();
    if (lab !== 'Human' && lab !== 'LLM') throw new Error(`${file}: row ${i + 2}: unknown label ${JSON.stringify(lab)}`);
    const scores: Record<string, number> = {};
    for (const d of spec.dims) {
      const v = Number(r[d]);
      if (r[d] === undefined || r[d] === '' || !Number.isFinite(v)) throw new Error(`${file}: row ${i + 2}: bad ${d}`);
      scores[d] = v;
    }
    rows.push({ id: `${rubric}:${i}`, rubric, label: lab === 'LLM' ? 1 : 0, judge: lab === 'LLM' ? 'gpt-4o-2024-08-06' : 'human', scores, candidateId: null });
  });
  return {
    rubric,
    rows,
    candidates: new Map(),
    provenance: [`jd-bench-scores/Debug CSV/${spec.file} (tomasgdejesus/Judgement-Detection @ ab2d95f): ${rows.length} rows`],
  };
}

// ---------------------------------------------------------------------------------------------------
// deterministic randomness and splits

export { mulberry32 };

export function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export const JUDGMENT_SPLIT_SEED = 20251128;
export const JUDGMENT_TEST_FRACTION = 0.2;
export const CV_FOLDS = 5;

export interface SplitResult {
  split: Map<string, JudgmentSplit>;
  /** cross-validation fold (0..CV_FOLDS-1) of each training row */
  fold: Map<string, number>;
  method: string;
}

/**
 * Scores-only sets: stratified by label, random by row. Text-bearing sets: by candidate (no candidate
 * in both train and test), candidates shuffled with a fixed seed. Training rows get CV folds for choosing
 * the L2 strength and the temperature (the same unit as the split: rows or candidates).
 */
export function splitJudgments(rows: JudgmentRow[], seed = JUDGMENT_SPLIT_SEED, testFraction = JUDGMENT_TEST_FRACTION): SplitResult {
  const split = new Map<string, JudgmentSplit>();
  const fold = new Map<string, number>();
  const byCandidate = rows.every((r) => r.candidateId !== null);
  if (!byCandidate) {
    for (const label of [0, 1] as const) {
      const ids = shuffle(
        rows.filter((r) => r.label === label).map((r) => r.id),
        mulberry32(seed + label),
      );
      const nTest = Math.round(ids.length * testFraction);
      ids.forEach((id, i) => {
        if (i < nTest) split.set(id, 'test');
        else {
          split.set(id, 'train');
          fold.set(id, (i - nTest) % CV_FOLDS);
        }
      });
    }
    return { split, fold, method: `stratified random by row, seed ${seed}, test ${testFraction}; ${CV_FOLDS}-fold CV on train` };
  }
  const cands = shuffle([...new Set(rows.map((r) => r.candidateId!))].sort(), mulberry32(seed));
  const nTest = Math.round(cands.length * testFraction);
  const candSplit = new Map<string, JudgmentSplit>();
  const candFold = new Map<string, number>();
  cands.forEach((c, i) => {
    if (i < nTest) candSplit.set(c, 'test');
    else {
      candSplit.set(c, 'train');
      candFold.set(c, (i - nTest) % CV_FOLDS);
    }
  });
  for (const r of rows) {
    split.set(r.id, candSplit.get(r.candidateId!)!);
    if (candSplit.get(r.candidateId!) === 'train') fold.set(r.id, candFold.get(r.candidateId!)!);
  }
  return { split, fold, method: `by candidate, seed ${seed}, test ${testFraction} of candidates; ${CV_FOLDS}-fold CV by candidate on train` };
}
