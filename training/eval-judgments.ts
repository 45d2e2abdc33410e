/**
 * `npm run eval`: the committed judgment heads on their test splits: accuracy / F1 / AUROC at k = 1, 2, 4, 8, 16,
 * the score-combination lookup as a reference, scores-only vs + candidate features, the artefact check, and (for
 * scores-only rubrics) the in-sample likelihood-ratio bound. Writes
 * models/judgments/<rubric>/metrics.json, models/judgments/config.json, models/card/judgments.md and
 * models/card/details/judgments.md.
 *
 *   tsx training/eval-judgments.ts [rubric ...]      (default: every rubric under models/judgments)
 *   tsx training/eval-judgments.ts --render-only     (no evaluation: the card's section from the metrics.json files)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { judgmentFeatureNames, levelsOf, normalizeScore, type RubricSchema } from '../src/features/judgment.js';
import { LogisticModel, type LogisticModelJSON } from '../src/heads/logistic.js';
import { fitLogistic } from './fit/logistic.js';
import {
  GROUP_SIZES,
  RUBRIC_IDS,
  balancedTest,
  balancedWeights,
  binaryMetrics,
  featureMatrix,
  groupMetrics,
  prepare,
  writeJudgmentConfig,
  type BinaryMetrics,
  type Prepared,
  type RubricId,
} from './datasets/judgments-pipeline.js';
import { mulberry32, type JudgmentRow } from './datasets/judgments.js';

const MODEL_DIR = path.resolve(process.env.MODEL_DIR ?? 'models');
const DIR = path.join(MODEL_DIR, 'judgments');
const CARD = path.join(MODEL_DIR, 'card', 'judgments.md');
const log = (m: string) => console.log(`[eval-judgments] ${m}`);

/** targets from issue 6 (k=1 F1, k=16 F1 or accuracy) */
const TARGETS: Partial<Record<RubricId, { f1_k1?: number; f1_k16?: number; acc_k16?: number }>> = {
  helpsteer2: { f1_k1: 0.89, f1_k16: 0.99 },
  neurips_review: { f1_k1: 0.865, f1_k16: 0.99 },
  helpsteer3: { acc_k16: 0.75 },
  antique: { acc_k16: 0.75 },
};
/** the public re-implementation's numbers (random forest, F1; ../shared/papers.md part B) */
const REIMPL: Partial<Record<RubricId, string>> = {
  helpsteer2: 'k=1 0.876 (scores) / 0.904 (+features); k=16 ~1.00',
  helpsteer3: 'k=1 0.576 / 0.637; k=16 0.68-0.78',
  neurips_review: 'k=1 0.860 / 0.846-0.871; k=16 0.96-1.00',
  antique: 'k=1 0.548 / 0.676; k=16 0.65-0.95',
};

function evalHead(p: Prepared, schema: RubricSchema, model: LogisticModel) {
  const names = judgmentFeatureNames(schema);
  if (names.join('\n') !== model.features.join('\n')) throw new Error(`${p.def.id}: head features differ from the rubric's feature schema`);
  const lo = featureMatrix(p, schema, p.test).map((x) => model.logOdds(x));
  const byId = new Map(p.test.map((r, i) => [r.id, lo[i]]));
  const bal = balancedTest(p.test);
  const k1 = binaryMetrics(
    bal.map((r) => byId.get(r.id)!),
    bal.map((r) => r.label),
  );
  const groups: Record<string, BinaryMetrics & { groups: number }> = {};
  for (const k of GROUP_SIZES) groups[`k${k}`] = k === 1 ? { ...k1, groups: k1.n } : groupMetrics(p.test, byId, k);
  return { k1, groups };
}

/** majority label per (normalised) score combination, learned on train; unseen -> "llm" */
function lookupBaseline(p: Prepared): BinaryMetrics {
  const key = (r: JudgmentRow) => p.def.dimensions.map((d) => normalizeScore(d, r.scores[d.name])).join(',');
  const w = balancedWeights(p.train.map((r) => r.label));
  const c = new Map<string, number>();
  p.train.forEach((r, i) => c.set(key(r), (c.get(key(r)) ?? 0) + (r.label ? w[i] : -w[i])));
  const bal = balancedTest(p.test);
  return binaryMetrics(
    bal.map((r) => c.get(key(r)) ?? 1),
    bal.map((r) => r.label),
  );
}

/**
 * Upper reference for groups of k (scores-only rubrics): the in-sample likelihood ratio of each score
 * combination (all rows, both splits, +0.5 smoothing), summed over k judgments drawn from one class's rows.
 * Optimistic (it has seen the test rows); a head cannot do better than this on independent judgments.
 */
function oracleGroupAccuracy(p: Prepared, k: number, groups = 4000): number {
  const key = (r: JudgmentRow) => p.def.dimensions.map((d) => normalizeScore(d, r.scores[d.name])).join(',');
  const c = new Map<string, [number, number]>();
  for (const r of p.data.rows) {
    const v = c.get(key(r)) ?? [0, 0];
    v[r.label]++;
    c.set(key(r), v);
  }
  const K = c.size;
  const n = [0, 1].map((l) => p.data.rows.filter((r) => r.label === l).length);
  const llr = new Map([...c].map(([kk, v]) => [kk, Math.log((v[1] + 0.5) / (n[1] + 0.5 * K)) - Math.log((v[0] + 0.5) / (n[0] + 0.5 * K))]));
  const rand = mulberry32(99 + k);
  let correct = 0;
  for (const label of [0, 1]) {
    const pool = p.data.rows.filter((r) => r.label === label).map((r) => llr.get(key(r))!);
    for (let g = 0; g < groups; g++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += pool[Math.floor(rand() * pool.length)];
      if ((s > 0 ? 1 : 0) === label) correct++;
    }
  }
  return Number((correct / (2 * groups)).toFixed(4));
}

/**
 * Artefact check: can a classifier tell human from LLM from the format alone? Two format features per
 * dimension: the fractional part of the score and whether it lies on the human scale's levels. Reported
 * on the loader's scores before the rubric's normalisation and after it (what the head sees).
 */
function artefactCheck(p: Prepared) {
  const rows = balancedTest([...p.train, ...p.test], 3);
  const y = rows.map((r) => r.label);
  const feats = (norm: boolean) =>
    rows.map((r) =>
      p.def.dimensions.flatMap((d) => {
        const v = norm ? normalizeScore(d, r.scores[d.name]) : r.scores[d.name];
        const frac = v - Math.floor(v);
        const onScale = levelsOf(d).some((l) => Math.abs(l - v) < 1e-9) ? 1 : 0;
        return [frac, onScale];
      }),
    );
  const cv = (X: number[][]) => {
    const folds = 5;
    const scores = new Array<number>(X.length).fill(0);
    for (let f = 0; f < folds; f++) {
      const tr = X.map((_, i) => i).filter((i) => i % folds !== f);
      const m = fitLogistic(
        tr.map((i) => X[i]),
        tr.map((i) => y[i]),
        { l2: 1e-3 },
      );
      for (let i = f; i < X.length; i += folds) scores[i] = m.logOdds(X[i]);
    }
    return binaryMetrics(scores, y);
  };
  const before = cv(feats(false));
  const after = cv(feats(true));
  return {
    note: 'format-only classifier (per dimension: fractional part, and whether the score is one of the rubric scale levels), 5-fold CV on a class-balanced sample of all rows; before = the loader output (means of 3 on both sides where one side was a mean), after = the rubric normalisation the head sees',
    before_normalization: { accuracy: before.accuracy, auroc: before.auroc },
    after_normalization: { accuracy: after.accuracy, auroc: after.auroc },
  };
}

const args = process.argv.slice(2);
/** `--render-only`: no evaluation, the card's section from the committed metrics.json files alone */
const RENDER_ONLY = args.includes('--render-only');
const ids = (RENDER_ONLY ? [] : args.length ? args : RUBRIC_IDS.filter((id) => existsSync(path.join(DIR, id, 'head.json')))) as RubricId[];
const all: Record<string, Record<string, unknown>> = {};
for (const id of RUBRIC_IDS) {
  const f = path.join(DIR, id, 'metrics.json');
  if (existsSync(f) && !ids.includes(id)) all[id] = JSON.parse(readFileSync(f, 'utf8'));
}
for (const id of ids) {
  const t0 = Date.now();
  const p = prepare(id, undefined, log);
  const rubric = JSON.parse(readFileSync(path.join(DIR, id, 'rubric.json'), 'utf8')) as RubricSchema & { training: { l2: number; temperature: number } };
  const head = LogisticModel.fromJSON(JSON.parse(readFileSync(path.join(DIR, id, 'head.json'), 'utf8')) as LogisticModelJSON);
  const main = evalHead(p, rubric, head);
  const metrics: Record<string, unknown> = {
    rubric: id,
    split: p.split.method,
    test: { human: p.test.filter((r) => r.label === 0).length, llm: p.test.filter((r) => r.label === 1).length, k1_balanced: balancedTest(p.test).length },
    k1: main.k1,
    groups: main.groups,
    lookup_baseline_k1: lookupBaseline(p),
    targets: TARGETS[id] ?? null,
    reimplementation: REIMPL[id] ?? null,
  };
  const so = path.join(DIR, id, 'head-scores-only.json');
  if (existsSync(so)) {
    const s = JSON.parse(readFileSync(so, 'utf8')) as { schema: RubricSchema; head: LogisticModelJSON };
    const r = evalHead(p, s.schema, LogisticModel.fromJSON(s.head));
    metrics.scores_only = { k1: r.k1, groups: r.groups };
  }
  if (p.def.candidate) metrics.artefact_check = artefactCheck(p);
  if (!p.def.candidate) {
    metrics.in_sample_lr_bound = { k1_accuracy: oracleGroupAccuracy(p, 1), k16_accuracy: oracleGroupAccuracy(p, 16) };
  }
  writeFileSync(path.join(DIR, id, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  all[id] = metrics;
  const g = main.groups;
  log(
    `${id}: k=1 acc ${main.k1.accuracy} F1 ${main.k1.f1} AUROC ${main.k1.auroc} | ` +
      GROUP_SIZES.slice(1)
        .map((k) => `k=${k} acc ${g[`k${k}`].accuracy} F1 ${g[`k${k}`].f1}`)
        .join(' | ') +
      ` (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

// ---------------------------------------------------------------------------------------------------
// model card section

type M = BinaryMetrics & { groups?: number };
const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(3));
const lines: string[] = [];
lines.push('# Judgment detection (J-Detector heads)', '');
lines.push(
  'One transparent head per rubric: logistic regression on named features (scores, z-scores, one-hot score levels, pairwise score-level combinations; for text-bearing rubrics also the candidate\'s text features, candidate-vs-prompt features and score x candidate interactions), class-balanced, L2 chosen by 5-fold cross-validation on the training split, temperature-calibrated on the out-of-fold log-odds. A group of k judgments is scored by summing the calibrated log-odds. Groups (k >= 2) are drawn from the test split only (500 per class; an LLM group comes from one LLM judge). k=1 is every judgment of a class-balanced test set (all human test judgments and as many LLM ones, when the classes are unbalanced). `npm run eval` regenerates this section from `models/judgments/*/metrics.json`.',
  '',
);
lines.push('## k = 1 and k = 16 on our test split', '');
lines.push('| rubric | test (human/llm) | acc k=1 | F1 k=1 | AUROC k=1 | lookup F1 k=1 | acc k=16 | F1 k=16 | AUROC k=16 | in-sample LR bound: acc k=1 / k=16 | target | re-implementation (F1) |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const id of RUBRIC_IDS) {
  const m = all[id];
  if (!m) continue;
  const k1 = m.k1 as M;
  const g = m.groups as Record<string, M>;
  const t = (m.test ?? {}) as { human: number; llm: number };
  const lk = m.lookup_baseline_k1 as M | undefined;
  const ob = m.in_sample_lr_bound as { k1_accuracy: number; k16_accuracy: number } | undefined;
  const tg = TARGETS[id];
  const target = tg ? [tg.f1_k1 !== undefined ? `F1 k=1 >= ${tg.f1_k1}` : '', tg.f1_k16 !== undefined ? `F1 k=16 >= ${tg.f1_k16}` : '', tg.acc_k16 !== undefined ? `acc k=16 >= ${tg.acc_k16}` : ''].filter(Boolean).join(', ') : '-';
  lines.push(
    `| ${id} | ${t.human}/${t.llm} | ${fmt(k1.accuracy)} | ${fmt(k1.f1)} | ${fmt(k1.auroc)} | ${fmt(lk?.f1)} | ${fmt(g.k16?.accuracy)} | ${fmt(g.k16?.f1)} | ${fmt(g.k16?.auroc)} | ${ob ? `${fmt(ob.k1_accuracy)} / ${fmt(ob.k16_accuracy)}` : '-'} | ${target} | ${REIMPL[id] ?? '-'} |`,
  );
}
/** the tables behind the section: models/card/details/judgments.md, linked from it */
const details: string[] = [
  '# Judgment detection: every table',
  '',
  'Rendered with the model card\'s judgment section from `models/judgments/*/metrics.json` and `bias.json` (`npx tsx training/eval-judgments.ts --render-only`); the method, the targets and the limits are in the section ([MODEL_CARD.md](../../MODEL_CARD.md)).',
];
details.push('', '## Group size (F1 / accuracy / AUROC)', '');
details.push('| rubric | ' + GROUP_SIZES.map((k) => `k=${k}`).join(' | ') + ' |');
details.push('|---|' + GROUP_SIZES.map(() => '---').join('|') + '|');
for (const id of RUBRIC_IDS) {
  const m = all[id];
  if (!m) continue;
  const g = m.groups as Record<string, M>;
  details.push(`| ${id} | ` + GROUP_SIZES.map((k) => `${fmt(g[`k${k}`]?.f1)} / ${fmt(g[`k${k}`]?.accuracy)} / ${fmt(g[`k${k}`]?.auroc)}`).join(' | ') + ' |');
}
const text = RUBRIC_IDS.filter((id) => all[id]?.scores_only);
if (text.length) {
  lines.push('', '## What the candidate adds (text-bearing rubrics, split by candidate)', '');
  lines.push('| rubric | scores only: F1 / acc / AUROC k=1 | + candidate features: F1 / acc / AUROC k=1 | scores only AUROC k=16 | + candidate AUROC k=16 | format-only classifier AUROC before / after normalisation |');
  lines.push('|---|---|---|---|---|---|');
  for (const id of text) {
    const m = all[id];
    const so = m.scores_only as { k1: M; groups: Record<string, M> };
    const k1 = m.k1 as M;
    const g = m.groups as Record<string, M>;
    const a = m.artefact_check as { before_normalization: { auroc: number }; after_normalization: { auroc: number } } | undefined;
    lines.push(
      `| ${id} | ${fmt(so.k1.f1)} / ${fmt(so.k1.accuracy)} / ${fmt(so.k1.auroc)} | ${fmt(k1.f1)} / ${fmt(k1.accuracy)} / ${fmt(k1.auroc)} | ${fmt(so.groups.k16?.auroc)} | ${fmt(g.k16?.auroc)} | ${a ? `${fmt(a.before_normalization.auroc)} / ${fmt(a.after_normalization.auroc)}` : '-'} |`,
    );
  }
}
details.push('', '## Judge bias (training split): LLM mean - human mean, Cohen\'s d', '');
details.push('| rubric | dimension | LLM mean | human mean | difference | Cohen\'s d |');
details.push('|---|---|---|---|---|---|');
for (const id of RUBRIC_IDS) {
  const f = path.join(DIR, id, 'bias.json');
  if (!existsSync(f)) continue;
  const b = JSON.parse(readFileSync(f, 'utf8')) as { dimensions: { dimension: string; llm_mean: number; human_mean: number; llm_minus_human: number; cohens_d: number }[] };
  for (const d of b.dimensions) details.push(`| ${id} | ${d.dimension} | ${d.llm_mean.toFixed(2)} | ${d.human_mean.toFixed(2)} | ${d.llm_minus_human >= 0 ? '+' : ''}${d.llm_minus_human.toFixed(2)} | ${d.cohens_d.toFixed(2)} |`);
}
details.push(
  '',
  'The head\'s weights per dimension and its 15 largest weights are in `models/judgments/<rubric>/bias.json` and in `GET /v1/judgments/rubrics`.',
);
lines.push(
  '',
  'The tables behind this section (F1 / accuracy / AUROC at k = 1, 2, 4, 8, 16; the scores-only rubrics on five other split seeds; each judge\'s bias per dimension): [details](card/details/judgments.md).',
  '',
  'Data and artefact handling: scores-only rubrics come from the jd-bench-scores export (GPT-4o judge; the fifth of rows held back upstream is not in the files, so all rows are split here: stratified by row, 80% train / 20% test, seed 20251128). Text-bearing rubrics are split by candidate. Topical-Chat: human scores are means of 3 annotators, so each LLM judgment is the mean of 3 ChatGPT samples; HANNA: LLM scores are means of 3 generations, so the human judgment is the mean of the 3 raters (LLM vectors off the 1/3 lattice dropped). Means of 3 on both sides are not enough: 3 LLM samples agree more often than 3 annotators, so the fractional part still partly separates the sides (the "before" column); both sides are therefore rounded to the integer scale, after which the format-only classifier is at chance. What remains is a distribution effect of averaging (a mean of disagreeing annotators rounds towards the middle of the scale), which a single-judgment request does not have; treat the numbers of these two rubrics as optimistic. ICLR: every rating is mapped to the largest ICLR level {1,3,5,6,8,10} not above it, on both sides. The format-only check above shows what a classifier could learn from the format alone after that.',
  '',
  'Limits: HANNA has 96 stories with text (test: 19 stories), so its numbers are noisy, and with 77 training stories the candidate features overfit (scores only is better there). ICLR shares one score (overall rating) between the two sides; the paper text adds nothing measurable. The scores-only rubrics cannot beat what their score combinations carry: the "in-sample LR bound" column sums the exact (in-sample, so optimistic) likelihood ratio of each score combination over k independent judgments; for helpsteer3 and antique it stays below the 0.75 accuracy target at k=16, so that target is out of reach for any detector that sees only these scores.',
);
const DETAILS = path.join(path.dirname(CARD), 'details', 'judgments.md');
mkdirSync(path.dirname(DETAILS), { recursive: true });
writeFileSync(CARD, lines.join('\n') + '\n');
writeFileSync(DETAILS, details.join('\n') + '\n');
if (RENDER_ONLY) {
  log(`wrote ${path.relative(process.cwd(), CARD)} from models/judgments/*/metrics.json`);
} else {
  writeJudgmentConfig(DIR, (JSON.parse(readFileSync(path.join(DIR, 'config.json'), 'utf8')) as { version: string }).version);
  log(`wrote ${path.relative(process.cwd(), CARD)} and models/judgments/*/metrics.json`);
}
