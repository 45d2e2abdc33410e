/**
 * Leave-one-source-out for a blend of the two text-head recipes: the heads with the embedding
 * (models/heads) and the features-only heads (models/heads-features-only), both refitted in every fold
 * with their own recipe (training/recipe.ts headRecipe), then blended with weight w on the first:
 *   roles:  probabilities = softmax(w * log p_embedding + (1 - w) * log p_features), ai = 1 - p(human)
 *   ai-logit: ai = sigmoid(w * logit ai_embedding + (1 - w) * logit ai_features) (roles as above)
 *   PR:     w * pr_embedding + (1 - w) * pr_features
 * Prints, per w, the card's LOSO means (macro-F1, MAE), gede's ranking (both recipes fitted on every set,
 * as loso-sweep --gede) and gede's operating point at the blend's own held-out threshold (the validation
 * rate whose mean held-out FPR is 5% over the folds, applied to the every-set fit's validation split):
 * the numbers that decide whether the blend is served. Writes training/.cache/exp/loso-blend.jsonl, and the
 * fitted folds' predictions to loso-blend-folds.json (read back while the heads and sample are the same).
 *
 *   npx tsx training/experiments/loso-blend.ts [--weights 0,0.25,0.5,0.75,1] [--refit]
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadTextCorpus } from '../datasets/text.js';
import { DEFAULT_CAPS, type SampleCaps, headData, headsInputOptions, prepareInputs, sampleRows } from '../datasets/text-pipeline.js';
import { ratioMetrics, roleMetrics, thresholdAtRate } from '../../src/heads/text-fit.js';
import { TextHeads, type HeadPrediction } from '../../src/heads/text-heads.js';
import { ROLES } from '../../src/detectors/types.js';
import { arg, openEmbedder } from '../train-text.js';
import { fullyGenerated, gedeRanking, heldoutRates, losoFold, losoMean, type LosoFold } from '../loso.js';
import { auroc } from '../datasets/judgments-pipeline.js';

const log = (m: string) => console.error(`[loso-blend] ${m}`);
const weights = (arg('--weights') ?? '0,0.25,0.5,0.75,1').split(',').map(Number);
const dirs = ['models/heads', 'models/heads-features-only'];
const heads = await Promise.all(dirs.map((d) => TextHeads.load(path.resolve(d))));
const caps = ((heads[0].config.training as { sample_caps?: SampleCaps } | undefined)?.sample_caps) ?? DEFAULT_CAPS;
const sample = sampleRows(loadTextCorpus({ includeEval: true }), caps);
const X: Float64Array[][] = [];
for (const h of heads) {
  const enc = await openEmbedder(h.config.encoder ? path.resolve('models/encoder') : null, 'fp32');
  X.push((await prepareInputs({ rows: sample, embedder: enc.embedder, encoderFiles: enc.files, ...headsInputOptions(h), log })).X);
  await enc.embedder?.close();
}
const sources = [...new Set(sample.map((r) => r.source))].filter((s) => s !== 'gede');
const t0 = Date.now();
// both recipes' folds, the every-set fit (held out: gede) last; cached by the sample and heads versions
// (--refit fits them again)
mkdirSync('training/.cache/exp', { recursive: true });
const key = `${heads.map((h) => h.config.version).join('+')}:${sample.length}:${sample[0].id}:${sample[sample.length - 1].id}`;
const cacheFile = 'training/.cache/exp/loso-blend-folds.json';
let folds: LosoFold[][] = [];
const cached = existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as { key: string; folds: LosoFold[][] }) : null;
if (cached?.key === key && !process.argv.includes('--refit')) {
  folds = cached.folds;
  log(`folds read from ${cacheFile}`);
} else {
  for (const s of [...sources, 'gede']) {
    folds.push(heads.map((h, k) => losoFold(s, sample, X[k], h.config, h.lexicon?.tokens.length ?? 0)));
    log(`fold without ${s} done (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  const strip = (ps: HeadPrediction[]) => ps.map(({ z: _z, ...p }) => p);
  writeFileSync(cacheFile, JSON.stringify({ key, folds: folds.map((f) => f.map((g) => ({ ...g, heldOutPreds: strip(g.heldOutPreds), validationPreds: strip(g.validationPreds) }))) }));
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};
const hi = ROLES.indexOf('human_author');
function blend(a: HeadPrediction, b: HeadPrediction, w: number, mode: 'roles' | 'ai-logit'): HeadPrediction {
  const z = ROLES.map((r) => w * Math.log(Math.max(1e-12, a.probabilities[r])) + (1 - w) * Math.log(Math.max(1e-12, b.probabilities[r])));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  const p = e.map((v) => v / s);
  const labelIndex = p.indexOf(Math.max(...p));
  const ai = mode === 'roles' ? 1 - p[hi] : 1 / (1 + Math.exp(-(w * logit(a.aiProbability) + (1 - w) * logit(b.aiProbability))));
  return {
    ...a,
    probabilities: Object.fromEntries(ROLES.map((r, i) => [r, p[i]])) as HeadPrediction['probabilities'],
    label: ROLES[labelIndex],
    labelIndex,
    aiProbability: ai,
    ratio: w * a.ratio + (1 - w) * b.ratio,
  };
}
/** a fold's validation human texts' ai_probability, ascending (what thresholdAtRate reads) */
const validationHuman = (f: LosoFold) =>
  f.validationPreds.filter((_, j) => sample[f.validation[j]].role === 'human_author').map((p) => p.aiProbability).sort((a, b) => a - b);
const blendFold = (f: LosoFold[], w: number, mode: 'roles' | 'ai-logit'): LosoFold => ({
  ...f[0],
  heldOutPreds: f[0].heldOutPreds.map((p, j) => blend(p, f[1].heldOutPreds[j], w, mode)),
  validationPreds: f[0].validationPreds.map((p, j) => blend(p, f[1].validationPreds[j], w, mode)),
});

for (const mode of ['roles', 'ai-logit'] as const) {
  for (const w of weights) {
    const bf = folds.map((f) => blendFold(f, w, mode));
    const scores: Record<string, { macro_f1: number | null; mae: number | null }> = {};
    for (const f of bf.slice(0, -1)) {
      const d = headData(f.heldOut.map((i) => sample[i]), f.heldOut.map((i) => X[0][i]));
      scores[f.source] = { macro_f1: roleMetrics(d.roles, f.heldOutPreds)?.macro_f1 ?? null, mae: ratioMetrics(d.pr, f.heldOutPreds)?.mae ?? null };
    }
    const mean = losoMean(sample, scores);
    // binary, per held-out set: AUROC human vs LLM-involved, and recall at the fold's threshold for the
    // validation rate whose mean held-out FPR is 5% (below); means over the sets with both kinds
    const [t5] = heldoutRates(bf.slice(0, -1), sample, [0.05]);
    const binary: Record<string, { auroc: number; recall: number; fpr: number }> = {};
    for (const f of bf.slice(0, -1)) {
      const ys = f.heldOut.map((i) => sample[i].llm);
      if (!ys.some((y) => y) || ys.every((y) => y)) continue;
      const ai = f.heldOutPreds.map((p) => p.aiProbability);
      const t = thresholdAtRate(validationHuman(f), t5.validation_rate);
      const pos = ai.filter((_, j) => ys[j]);
      const neg = ai.filter((_, j) => !ys[j]);
      binary[f.source] = { auroc: auroc(ai, ys.map((y) => (y ? 1 : 0))), recall: pos.filter((v) => v >= t).length / pos.length, fpr: neg.filter((v) => v >= t).length / neg.length };
    }
    const bm = (k: 'auroc' | 'recall' | 'fpr') => Object.values(binary).reduce((a, b) => a + b[k], 0) / Object.keys(binary).length;
    const g = bf[bf.length - 1];
    const gRows = g.heldOut.map((i) => sample[i]);
    const ranking = gedeRanking(gRows, g.heldOutPreds.map((p) => p.aiProbability));
    // the blend's own default threshold (5% held-out FPR, as training/train-text.ts sets the served one) on gede
    const thr = thresholdAtRate(validationHuman(g), t5.validation_rate);
    const ielts = g.heldOutPreds.filter((_, j) => gRows[j].role === 'human_author' && gRows[j].domain === 'essay-ielts');
    const gen = g.heldOutPreds.filter((_, j) => fullyGenerated(gRows[j]));
    const out = {
      mode,
      w,
      macro_f1: mean.macro_f1,
      mae: mean.mae,
      by_source: scores,
      heldout_binary: { auroc: bm('auroc'), recall_at_heldout_fpr_0_05: bm('recall'), fpr: bm('fpr'), by_source: binary },
      gede_ranking: ranking,
      heldout_threshold: { validation_rate: t5.validation_rate, heldout_fpr: t5.heldout_fpr, reached: t5.reached, threshold: thr },
      gede_at_threshold: { fpr_human_ielts: ielts.filter((p) => p.aiProbability >= thr).length / ielts.length, recall_fully_generated: gen.filter((p) => p.aiProbability >= thr).length / gen.length },
      heads: dirs,
    };
    console.log(
      `${mode} w ${w}: LOSO macro-F1 ${mean.macro_f1?.toFixed(3)} (${mean.sources.length} sets), MAE ${mean.mae?.toFixed(3)} (${mean.mae_sources.length}); ` +
        `held-out binary AUROC ${bm('auroc').toFixed(3)}, recall ${(100 * bm('recall')).toFixed(1)}% at FPR ${(100 * bm('fpr')).toFixed(1)}% (${Object.keys(binary).length} sets); ` +
        `gede AUROC ${ranking?.auroc_ielts_vs_generated.toFixed(3)}, IELTS FPR at 90% recall ${(100 * (ranking?.fpr_human_ielts_at_recall_0_90 ?? NaN)).toFixed(1)}%; ` +
        `held-out 5% threshold ${thr.toFixed(4)} (validation rate ${t5.validation_rate}, mean held-out FPR ${(100 * t5.heldout_fpr).toFixed(1)}%): gede IELTS FPR ${(100 * out.gede_at_threshold.fpr_human_ielts).toFixed(1)}%, recall ${(100 * out.gede_at_threshold.recall_fully_generated).toFixed(1)}%`,
    );
    console.log(`  ${Object.entries(scores).map(([k, b]) => `${k} ${b.macro_f1?.toFixed(3) ?? '-'} / ${b.mae?.toFixed(3) ?? '-'}`).join(', ')}`);
    appendFileSync('training/.cache/exp/loso-blend.jsonl', JSON.stringify(out) + '\n');
  }
}
