/**
 * Leave-one-source-out for several head recipes on one loaded sample: the numbers behind a recipe
 * choice (training/recipe.ts), without a full `npm run eval` per value.
 *
 *   npx tsx training/experiments/loso-sweep.ts [--heads DIR] [--encoder DIR] [--sources a,b] [--contrast-embedding | --no-contrast-embedding] [--extra-encoder DIR] [--drop-family a,b] [--quarters | --no-quarters] [--gede] '{"l2Mlp":0.3}' '{"l2Mlp":1,"hidden":32}' ...
 *
 * Each argument is a JSON override of the recipe (see headRecipe); `{}` is the shipped recipe. Same
 * sample, inputs, folds and means as the card's LOSO table (training/eval-text.ts): macro-F1 over the
 * held-out sets with at least two labelled roles, MAE over those with a known PR. Prints one line per
 * recipe and writes them to training/.cache/exp/loso-sweep.jsonl. `--contrast-embedding` adds the
 * embedding's (second half - first half) difference to the inputs (two more encoder passes per text).
 * `--encoder DIR` embeds with another encoder (default models/encoder; any dimension, the fold heads take it), e.g. one
 * trained without a data set or a pretrained one, to see whether an encoder's LOSO gain on that set survives its absence;
 * `--sources a,b` holds out only those sets (the mean is then over them) and embeds only the rows their folds read
 * (foldRows: the same numbers as with the whole sample). `--extra-encoder DIR` adds a
 * second encoder's whole-text embedding (any dimension) to the inputs. `--gede` also fits the fold recipe
 * on every set and prints gede's ranking (AUROC of human IELTS vs fully generated essays, IELTS FPR at 90%
 * recall). `--drop-family a,b` sets the inputs of those text-feature families (src/features/text.ts, with
 * their halves' difference) to 0 in every row, so the heads cannot use them; `embedding` does the same to the
 * embedding and its halves' and first quarter's differences (the marker words are chosen again in every fold,
 * so they stay).
 * `--quarters` adds the embedding of the text's first quarter minus the mean of its other three quarters
 * (the heads' quarter_embedding input; textParts, four more encoder passes of a quarter each), `--no-quarters`
 * leaves it out of heads that have it. `--no-contrast-embedding` leaves the halves' difference out too: with
 * `--no-quarters`, the embedding of the whole text only (one encoder pass per text). `--span-pooling` takes
 * the halves' and quarters' embeddings from the token states of the whole text's one pass (heads'
 * span_pooling), `--no-span-pooling` embeds them on their own (seven passes).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadTextCorpus } from '../datasets/text.js';
import { DEFAULT_CAPS, type SampleCaps, cachedEmbeddings, headData, prepareInputs, sampleRows } from '../datasets/text-pipeline.js';
import { normalizeForHeads, textHalves } from '../../src/heads/segments.js';
import { ratioMetrics, roleMetrics } from '../../src/heads/text-fit.js';
import { TextHeads, inputNamesFor } from '../../src/heads/text-heads.js';
import { TEXT_FEATURES } from '../../src/features/text.js';
import { arg, openEmbedder } from '../train-text.js';
import { LOSO_CAP, LOSO_EPOCHS, foldRows, gedeRanking, losoFold, losoMean } from '../loso.js';

const log = (m: string) => console.error(`[loso-sweep] ${m}`);
const argv = process.argv.slice(2);
const headsDir = path.resolve(arg('--heads') ?? 'models/heads');
const encoderDir = path.resolve(arg('--encoder') ?? 'models/encoder');
const only = arg('--sources')?.split(',');
const variants = argv.filter((a) => a.startsWith('{')).map((a) => JSON.parse(a) as Record<string, unknown>);
if (variants.length === 0) variants.push({});

const heads = await TextHeads.load(headsDir);
const contrastEmbedding = !argv.includes('--no-contrast-embedding') && (argv.includes('--contrast-embedding') || (heads.config.contrast_embedding ?? false));
const quarters = !argv.includes('--no-quarters') && (argv.includes('--quarters') || (heads.config.quarter_embedding ?? false));
const spanPooling = argv.includes('--span-pooling') || (!argv.includes('--no-span-pooling') && (heads.config.span_pooling ?? false));
const config = { ...heads.config, contrast_embedding: contrastEmbedding, quarter_embedding: quarters, span_pooling: spanPooling };
const caps = ((heads.config.training as { sample_caps?: SampleCaps } | undefined)?.sample_caps) ?? DEFAULT_CAPS;
const whole = sampleRows(loadTextCorpus({ includeEval: true }), caps);
// --sources: only the rows those folds read (the same folds as on the whole sample, fewer texts to embed)
const keep = only ? foldRows(whole, argv.includes('--gede') ? [...only, 'gede'] : only) : null;
const sample = keep ? whole.filter((_, i) => keep[i]) : whole;
if (keep) log(`--sources: ${sample.length} of ${whole.length} sampled rows are read by these folds`);
const enc = await openEmbedder(heads.config.encoder ? encoderDir : null, 'fp32');
const data = await prepareInputs({ rows: sample, embedder: enc.embedder, encoderFiles: enc.files, lexicon: heads.lexicon, contrast: heads.config.contrast ?? false, contrastEmbedding, quarterEmbedding: quarters, spanPooling, embeddingMaxWords: heads.config.embedding_max_words ?? 0, log });
// --encoder of another width (a pretrained one, say): the fold heads take its dimension
if (data.embeddingDim > 0) config.embedding_dim = data.embeddingDim;
if (argv.includes('--full-from-halves') && enc.embedder && contrastEmbedding) {
  // the whole text's embedding replaced by the normalised sum of its halves' (one encoder pass over the text in all)
  const halves = sample.map((r) => textHalves(normalizeForHeads(r.text)));
  const eA = await cachedEmbeddings(halves.map((h) => h[0]), enc.embedder, log);
  const eB = await cachedEmbeddings(halves.map((h) => h[1]), enc.embedder, log);
  const o = 2 * heads.config.features.length;
  const ne = config.embedding_dim;
  data.X.forEach((x, i) => {
    let n = 0;
    for (let j = 0; j < ne; j++) n += (eA[i][j] + eB[i][j]) ** 2;
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < ne; j++) x[o + j] = (eA[i][j] + eB[i][j]) / n;
  });
  log('full-text embedding replaced by the normalised sum of the halves');
}
await enc.embedder?.close();
const extraDir = arg('--extra-encoder');
let extraInputs: string[] = [];
if (extraDir) {
  // a second encoder's whole-text embedding as more inputs, put just before the marker words
  const extra = await openEmbedder(path.resolve(extraDir), 'fp32');
  if (!extra.embedder) throw new Error(`no encoder at ${extraDir}`);
  const ex = await cachedEmbeddings(sample.map((r) => normalizeForHeads(r.text)), extra.embedder, log);
  await extra.embedder.close();
  const nLex = heads.lexicon?.tokens.length ?? 0;
  const d = ex[0].length;
  extraInputs = Array.from({ length: d }, (_, j) => `extra_emb_${j}`);
  data.X = data.X.map((x, i) => {
    const y = new Float64Array(x.length + d);
    y.set(x.subarray(0, x.length - nLex), 0);
    y.set(ex[i], x.length - nLex);
    y.set(x.subarray(x.length - nLex), x.length - nLex + d);
    return y;
  });
  log(`+${d} inputs: the whole-text embedding of ${extra.embedder.info.id} ${extra.embedder.info.version ?? ''}`);
}
const dropped = arg('--drop-family')?.split(',') ?? [];
if (dropped.length) {
  const family = new Map(TEXT_FEATURES.map((f) => [f.name, f.family]));
  const known = new Set([...family.values(), 'embedding']);
  const unknown = dropped.filter((f) => !known.has(f));
  if (unknown.length) throw new Error(`unknown families ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  const names = inputNamesFor(config.features, config.embedding_dim, config.contrast ?? false, heads.lexicon?.tokens ?? [], contrastEmbedding, quarters);
  const familyOf = (n: string) => {
    const base = n.replace(/^(halves_delta|first_quarter_delta)\./, '');
    return base.startsWith('emb_') ? 'embedding' : family.get(base);
  };
  const cols = names.map((n, j) => (dropped.includes(familyOf(n) ?? '') ? j : -1)).filter((j) => j >= 0);
  for (const x of data.X) for (const j of cols) x[j] = 0;
  log(`dropped ${cols.length} inputs (families ${dropped.join(', ')})`);
}
const sources = [...new Set(sample.map((r) => r.source))].filter((s) => s !== 'gede' && (!only || only.includes(s)));
mkdirSync('training/.cache/exp', { recursive: true });

for (const v of variants) {
  const t0 = Date.now();
  // --gede: the same fold recipe trained on every set, scored on gede (evaluation only) by its ranking; first,
  // and each fold logged as it ends, so a run stopped early still tells what it measured
  let gede: ReturnType<typeof gedeRanking> = null;
  if (argv.includes('--gede')) {
    const f = losoFold('gede', sample, data.X, config, heads.lexicon?.tokens.length ?? 0, v, extraInputs);
    gede = gedeRanking(f.heldOut.map((i) => sample[i]), f.heldOutPreds.map((p) => p.aiProbability));
    log(`${JSON.stringify(v)} gede: AUROC ${gede?.auroc_ielts_vs_generated.toFixed(3) ?? '-'}, IELTS FPR at 90% recall ${gede ? (100 * gede.fpr_human_ielts_at_recall_0_90).toFixed(1) : '-'}% (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  const scores: Record<string, { macro_f1: number | null; mae: number | null }> = {};
  for (const s of sources) {
    const f = losoFold(s, sample, data.X, config, heads.lexicon?.tokens.length ?? 0, v, extraInputs);
    const d = headData(f.heldOut.map((i) => sample[i]), f.heldOut.map((i) => data.X[i]));
    scores[s] = { macro_f1: roleMetrics(d.roles, f.heldOutPreds)?.macro_f1 ?? null, mae: ratioMetrics(d.pr, f.heldOutPreds)?.mae ?? null };
    log(`${JSON.stringify(v)} ${s} held out: macro-F1 ${scores[s].macro_f1?.toFixed(3) ?? '-'}, MAE ${scores[s].mae?.toFixed(3) ?? '-'} (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  const m = losoMean(sample, scores);
  const out = {
    recipe: v,
    contrast_embedding: contrastEmbedding,
    full_from_halves: argv.includes('--full-from-halves'),
    heads: path.relative(process.cwd(), headsDir),
    encoder: enc.embedder ? `${path.relative(process.cwd(), encoderDir)} ${enc.version ?? ''}`.trim() : null,
    extra_encoder: extraDir ?? null,
    quarters,
    span_pooling: spanPooling,
    dropped_families: dropped,
    loso_cap: LOSO_CAP,
    loso_epochs: LOSO_EPOCHS,
    macro_f1: m.macro_f1 ?? NaN,
    mae: m.mae ?? NaN,
    by_source: scores,
    gede,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  console.log(`${JSON.stringify(v)}${contrastEmbedding ? ' +contrast-embedding' : ''}${spanPooling ? ' +span-pooling' : ''}${argv.includes('--full-from-halves') ? ' +full-from-halves' : ''}${extraDir ? ` +extra-encoder ${extraDir}` : ''}${quarters ? ' +quarters' : ''}${dropped.length ? ` -families ${dropped.join(',')}` : ''}: LOSO macro-F1 ${out.macro_f1.toFixed(3)} (${m.sources.length} sets), MAE ${out.mae.toFixed(3)} (${m.mae_sources.length}), ${out.seconds} s`);
  if (gede) console.log(`  gede (trained on every set, fold recipe): AUROC human IELTS vs fully generated ${gede.auroc_ielts_vs_generated.toFixed(3)}, IELTS FPR at 90% recall ${(100 * gede.fpr_human_ielts_at_recall_0_90).toFixed(1)}%`);
  console.log(`  ${Object.entries(scores).map(([k, b]) => `${k} ${b.macro_f1?.toFixed(3) ?? '-'} / ${b.mae?.toFixed(3) ?? '-'}`).join(', ')}`);
  appendFileSync('training/.cache/exp/loso-sweep.jsonl', JSON.stringify(out) + '\n');
}
