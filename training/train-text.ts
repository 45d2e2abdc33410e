/**
 * `npm run train` (first half): trains the text heads and writes models/heads/.
 *
 *   npx tsx training/train-text.ts [--encoder [DIR]] [--out DIR]
 *
 * Default: heads on the text features (+ halves' difference + marker words) only. With --encoder the
 * pooled embedding of the whole text (overlapping windows, as served) and its halves' and quarters'
 * contrasts are added (the heads are then bound to that encoder's sha256).
 *
 * Steps: load every text set (training/datasets/text.ts) -> deterministic balanced sample -> features
 * (cached in training/.cache by feature version) + encoder embeddings (cached by encoder sha256) ->
 * role softmax + ratio regressors on the train split, weighted so that roles, sources and domains
 * weigh alike -> temperature (+ class offsets) and conformal interval on the validation split ->
 * models/heads/{standardizer,role,involvement,config}.json with sha256 of every file.
 * gede is never used here (evaluation only). Numbers per data set: `npm run eval`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DECISION_FPRS, DECISION_RATES, ROLES } from '../src/detectors/types.js';
import { loadTextCorpus, TEXT_SOURCES, SPLIT_SEED, SPLIT_FRACTIONS } from './datasets/text.js';
import { WIDER_TEXT_SOURCES } from './datasets/wider/corpus.js';
import { balancedWeights, headData, prepareInputs, sampleRows, DEFAULT_CAPS } from './datasets/text-pipeline.js';
import type { TextRow } from './datasets/text-common.js';
import { TEXT_FEATURE_VERSION, TEXT_FEATURES } from '../src/features/text.js';
import { buildLexicon } from './fit/lexicon.js';
import { normalizeForHeads } from '../src/heads/segments.js';
import { fitTextHeadsFrom, predictAll, ratioMetrics, roleMetrics, binaryMetrics, thresholdAtRate } from './fit/text-heads.js';
import { heldoutRates, losoFold } from './loso.js';
import { TextHeads, type TextHeadsConfigBase } from '../src/heads/text-heads.js';
import { saveHeads } from './fit/save-heads.js';
import type { TextEmbedder } from '../src/encoder/types.js';

export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v && !v.startsWith('--') ? v : undefined;
}

const log = (s: string) => console.log(`[train-text ${new Date().toISOString().slice(11, 19)}] ${s}`);
import { HEADS_LANGUAGES, HEADS_VERSION, HEADS_WIDER, headRecipe, LEXICON_OPTS, SPAN_POOLING } from './recipe.js';

export async function openEmbedder(dir: string | null, precision: 'int8' | 'fp32'): Promise<{ embedder: TextEmbedder | null; files: Record<string, string>; version?: string }> {
  if (!dir) return { embedder: null, files: {} };
  if (!existsSync(path.join(dir, 'config.json'))) {
    log(`no encoder at ${dir}: features-only heads`);
    return { embedder: null, files: {} };
  }
  const { createEmbedder } = await import('../src/encoder/index.js');
  const embedder = await createEmbedder({ dir, precision, device: 'cpu', intraOpThreads: Number(process.env.TEXT_THREADS ?? 2), maxBatchTokens: 8192 });
  const cfg = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { files?: Record<string, string>; version?: string };
  log(`encoder ${embedder.info.id} ${embedder.info.version} dim ${embedder.info.dim} ${precision} sha256 ${embedder.info.sha256.slice(0, 12)}`);
  return { embedder, files: cfg.files ?? {}, version: cfg.version };
}

function trainingDataList(rows: TextRow[]): Record<string, unknown>[] {
  const bySource = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const m = bySource.get(r.source) ?? {};
    const k = r.role ?? 'llm_unknown_role';
    m[k] = (m[k] ?? 0) + 1;
    bySource.set(r.source, m);
  }
  return [...TEXT_SOURCES, ...WIDER_TEXT_SOURCES].filter((s) => bySource.has(s.id)).map((s) => ({
    source: s.id,
    origin: s.origin,
    license: s.license,
    rows: bySource.get(s.id),
  }));
}

async function main(): Promise<void> {
  const out = path.resolve(arg('--out') ?? 'models/heads');
  // features-only heads by default (minutes on 2 cores; they keep working when the encoder is swapped);
  // --encoder [DIR] adds the encoder embedding as head inputs
  const encDir = process.argv.includes('--encoder') ? path.resolve(arg('--encoder') ?? 'models/encoder') : null;
  const t0 = Date.now();
  const all = loadTextCorpus({ includeEval: false, wider: HEADS_WIDER });
  const enc = await openEmbedder(encDir, 'fp32');
  const sample = sampleRows(all, DEFAULT_CAPS).filter((r) => !r.evalOnly && r.split !== 'test');
  log(`corpus ${all.length} rows; sample for training/calibration ${sample.length}`);
  const lexicon = buildLexicon(sample.filter((r) => r.split === 'train').map((r) => ({ ...r, text: normalizeForHeads(r.text) })), LEXICON_OPTS);
  log(`lexicon: ${lexicon.tokens.length} marker words agreeing in >= ${lexicon.min_sources} data sets`);
  // the embedding's halves' and quarters' contrasts, chosen by leave-one-source-out (models/card/history.md)
  const data = await prepareInputs({ rows: sample, embedder: enc.embedder, encoderFiles: enc.files, encoderVersion: enc.version, lexicon, contrastEmbedding: enc.embedder !== null, quarterEmbedding: true, spanPooling: SPAN_POOLING, log });
  await enc.embedder?.close();
  const trIdx = sample.map((r, i) => (r.split === 'train' ? i : -1)).filter((i) => i >= 0);
  const vaIdx = sample.map((r, i) => (r.split === 'validation' ? i : -1)).filter((i) => i >= 0);
  const trRows = trIdx.map((i) => sample[i]);
  const vaRows = vaIdx.map((i) => sample[i]);
  const train = headData(trRows, trIdx.map((i) => data.X[i]), balancedWeights(trRows));
  const val = headData(vaRows, vaIdx.map((i) => data.X[i]));
  log(`fitting on ${trRows.length} train rows (${data.inputs.length} inputs), calibrating on ${vaRows.length} validation rows`);
  const fitted = fitTextHeadsFrom(train, val, { inputs: data.inputs, ...headRecipe(data.embeddingDim) });
  log(`fitted: ${fitted.role.json.type} role head ${JSON.stringify(fitted.role.json.training)} T=${fitted.role.json.temperature.toFixed(3)}`);

  const base: TextHeadsConfigBase = {
    id: 'llm-provenance-text',
    version: HEADS_VERSION,
    created: new Date().toISOString(),
    encoder: data.encoder,
    feature_version: TEXT_FEATURE_VERSION,
    features: TEXT_FEATURES.map((f) => f.name),
    embedding_dim: data.embeddingDim,
    contrast: data.contrast,
    contrast_embedding: data.contrastEmbedding,
    quarter_embedding: data.quarterEmbedding,
    span_pooling: data.spanPooling,
    embedding_max_words: 0,
    lexicon_size: lexicon.tokens.length,
    roles: [...ROLES],
    languages: HEADS_LANGUAGES,
    calibration: fitted.calibration,
    thresholds: {
      ai_probability: Number(fitted.thresholds.fpr_0_05.toFixed(4)),
      ai_probability_rule: 'flag when ai_probability >= the threshold that flags 5% of the validation split\'s human texts',
      by_validation_fpr: fitted.thresholds,
      short_text_words: 80,
      confidence: { high: 0.8, medium: 0.6 },
    },
    training_data: trainingDataList(trRows),
    calibration_data: trainingDataList(vaRows),
    split: { rule: 'u = sha256(seed + ":" + group)[0..8 hex] / 2^32; u < 0.70 train, < 0.85 validation, else test', seed: SPLIT_SEED, fractions: SPLIT_FRACTIONS },
    training: {
      sample_caps: DEFAULT_CAPS,
      weights: 'each role equal total weight; inside a role each source equal; inside a source each domain equal; unknown-role LLM rows 0.5 of a role',
      recipe: headRecipe(data.embeddingDim),
      seconds: Math.round((Date.now() - t0) / 1000),
    },
  };
  const parts = { standardizer: fitted.standardizer.json, role: fitted.role.json, involvement: fitted.involvement, lexicon };
  let config = await saveHeads(out, parts, base);
  const heads = new TextHeads(config, parts.standardizer, parts.role, parts.involvement, lexicon);
  const pv = predictAll(heads, val.X);

  // decision thresholds that hold on unseen data sets: a rate set on the validation split does not carry
  // over to a data set the heads never saw (its human texts are flagged more often), so measure how it
  // carries over, leave-one-source-out, and pick the validation rate whose held-out FPR is the one asked
  const folds = [];
  for (const s of [...new Set(sample.map((r) => r.source))]) {
    folds.push(losoFold(s, sample, data.X, config, lexicon.tokens.length));
    log(`threshold transfer: fold without ${s} done`);
  }
  const transfer = heldoutRates(folds, sample, DECISION_RATES);
  const hv = pv.filter((_, i) => val.roles[i] === ROLES.indexOf('human_author')).map((p) => p.aiProbability).sort((a, b) => a - b);
  const byHeldout = Object.fromEntries(transfer.map((t) => [DECISION_FPRS[t.rate as keyof typeof DECISION_FPRS], thresholdAtRate(hv, t.validation_rate)]));
  for (const t of transfer) log(`held-out FPR ${t.rate}: validation rate ${t.validation_rate} -> threshold ${byHeldout[DECISION_FPRS[t.rate as keyof typeof DECISION_FPRS]].toFixed(4)} (mean held-out FPR ${t.heldout_fpr.toFixed(4)} over ${Object.keys(t.by_source).length} sets)`);
  base.thresholds = {
    ...base.thresholds,
    ai_probability: Number(byHeldout.fpr_0_05.toFixed(4)),
    ai_probability_rule: 'flag when ai_probability >= the threshold expected to flag 5% of the human texts of a data set the heads were not trained on (leave-one-source-out estimate: thresholds.heldout_transfer)',
    by_heldout_fpr: byHeldout,
    heldout_transfer: transfer,
  };
  // quick validation numbers (full numbers: npm run eval)
  const metrics = {
    validation: {
      role: roleMetrics(val.roles, pv),
      involvement: ratioMetrics(val.pr, pv),
      binary: binaryMetrics(vaRows.map((r) => r.llm), pv, base.thresholds.ai_probability),
    },
  };
  config = await saveHeads(out, parts, { ...base, metrics });
  log(`wrote ${out} (${Object.keys(config.files).join(', ')}, config.json) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  log(`validation: ${JSON.stringify(metrics.validation)}`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('train-text.ts')) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
