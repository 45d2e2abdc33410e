/**
 * `npm run eval`: what the zero-shot likelihood features (src/features/likelihood.ts, models/likelihood) are
 * worth against and on top of the shipped text heads, on a seeded sample of every text set's test split (gede:
 * its three groups); fits the shipped combination head (models/likelihood/head.json) on a sample of the train
 * split. Writes models/card/likelihood.md (the scorers and the data stated there) and models/likelihood/metrics.json.
 *
 *   npx tsx training/eval-likelihood.ts [--per-class 40] [--train-per-class 20] [--max-tokens 256]
 * Scores are cached in training/.cache/likelihood-sample-N.jsonl (resumable: delete it to start over).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { auroc } from './datasets/judgments-pipeline.js';
import { loadTextCorpus, type TextRow } from './datasets/text.js';
import { CACHE_DIR, hashUnit, headsInputOptions, prepareInputs } from './datasets/text-pipeline.js';
import { COMBINATION_FEATURES, combinationInputs, likelihoodFeatures, type LikelihoodFeature } from '../src/features/likelihood.js';
import { sha256 } from '../src/encoder/model-dir.js';
import { fitLogistic } from './fit/logistic.js';
import { normalizeForHeads } from '../src/heads/segments.js';
import { predictAll } from './fit/text-heads.js';
import { TextHeads } from '../src/heads/text-heads.js';
import { LikelihoodModel } from '../src/likelihood/index.js';
import { arg, openEmbedder } from './train-text.js';

const log = (m: string) => console.error(`[eval-likelihood ${new Date().toISOString().slice(11, 19)}] ${m}`);
const perClass = Number(arg('--per-class') ?? 40);
/** the train split's sample, which fits the combination head (8 inputs: a few hundred rows are plenty) */
const trainPerClass = Number(arg('--train-per-class') ?? 20);
const maxTokens = Number(arg('--max-tokens') ?? 256);
const headsDir = path.resolve('models/heads');
const modelDir = path.resolve('models/likelihood');
const cachePath = path.join(CACHE_DIR, `likelihood-sample-${maxTokens}.jsonl`);
const t0 = Date.now();

/** gede's three groups are kept apart; every other set is one group. */
function groupOf(r: TextRow): string {
  if (r.source !== 'gede') return r.source;
  if (r.llm) return 'gede-generated';
  return r.domain === 'essay-ielts' ? 'gede-human-ielts' : 'gede-human-argumentative';
}

// ------------------------------------------------------------------ sample
/** Seeded per-bucket samples of one split (gede: its test rows, evaluation only). */
function sampleSplit(split: 'train' | 'test', perClass: number): TextRow[] {
  const corpus = loadTextCorpus({ includeEval: split === 'test' }).filter((r) => r.split === split && r.text.trim().length > 0);
  const buckets = new Map<string, TextRow[]>();
  for (const r of corpus) {
    const key = r.source === 'gede' ? groupOf(r) : `${r.source}:${r.llm ? 'llm' : 'human'}`;
    buckets.set(key, [...(buckets.get(key) ?? []), r]);
  }
  const out: TextRow[] = [];
  for (const [key, list] of [...buckets].sort(([a], [b]) => a.localeCompare(b))) {
    const k = key.startsWith('gede') ? 2 * perClass : perClass;
    out.push(...list.sort((a, b) => hashUnit(a.id, 'likelihood-v1') - hashUnit(b.id, 'likelihood-v1')).slice(0, k));
  }
  return out;
}
const rows = sampleSplit('test', perClass);
// the train split's sample fits the shipped combination head (models/likelihood/head.json)
const trainRows = sampleSplit('train', trainPerClass);
log(`${rows.length} sampled test rows, ${trainRows.length} train rows`);

// ------------------------------------------------------------------ likelihood features (cached)
mkdirSync(CACHE_DIR, { recursive: true });
const cached = new Map<string, Record<string, number>>();
if (existsSync(cachePath)) {
  for (const line of readFileSync(cachePath, 'utf8').split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as { id: string; f: Record<string, number> };
    cached.set(o.id, o.f);
  }
}
const todo = [...rows, ...trainRows].filter((r) => !cached.has(r.id));
if (todo.length > 0) {
  log(`scoring ${todo.length} rows with ${modelDir} (first ${maxTokens} tokens; ${cached.size} cached)`);
  const lm = await LikelihoodModel.load({ dir: modelDir, maxTokens, intraOpThreads: Number(process.env.INTRA_OP_THREADS ?? 2) });
  const start = Date.now();
  for (const [i, r] of todo.entries()) {
    const f = likelihoodFeatures(await lm.score(normalizeForHeads(r.text)));
    cached.set(r.id, f);
    appendFileSync(cachePath, JSON.stringify({ id: r.id, f }) + '\n');
    if ((i + 1) % 50 === 0) log(`${i + 1}/${todo.length} (${((Date.now() - start) / (i + 1)).toFixed(0)} ms a text)`);
  }
  await lm.close();
}

// ------------------------------------------------------------------ shipped heads' ai_probability
const heads = await TextHeads.load(headsDir);
const enc = await openEmbedder(heads.config.encoder ? path.resolve('models/encoder') : null, 'fp32');
const data = await prepareInputs({ rows, embedder: enc.embedder, encoderFiles: enc.files, ...headsInputOptions(heads), log });
const aiProb = predictAll(heads, data.X).map((p) => p.aiProbability);

// ------------------------------------------------------------------ scorers
const featuresOf = (i: number): number[] => [...combinationInputs(aiProb[i], cached.get(rows[i].id)! as Record<LikelihoodFeature, number>)];
const groups = rows.map(groupOf);
const y = rows.map((r) => (r.llm ? 1 : 0));
const fitSources = [...new Set(groups)].filter((g) => !g.startsWith('gede'));

/** Heads + likelihood, leave-one-source-out: each row scored by a fit that never saw its set (gede: by all sets). */
function stacked(cols: number[] | null): number[] {
  const out = new Array<number>(rows.length).fill(NaN);
  const X = rows.map((_, i) => {
    const x = featuresOf(i);
    return Float64Array.from(cols ? cols.map((c) => x[c]) : x);
  });
  for (const held of [...fitSources, 'gede']) {
    const train = rows.flatMap((_, i) => (!groups[i].startsWith('gede') && groups[i] !== held ? [i] : []));
    const m = fitLogistic(
      train.map((i) => X[i]),
      train.map((i) => y[i]),
      { l2: 1e-2, classWeights: 'balanced' },
    );
    for (let i = 0; i < rows.length; i++) {
      const inHeld = held === 'gede' ? groups[i].startsWith('gede') : groups[i] === held;
      if (inHeld) out[i] = m.logOdds(X[i]);
    }
  }
  return out;
}

const lmCols = COMBINATION_FEATURES.flatMap((n, j) => (n.startsWith('lm_') ? [j] : []));

// the shipped combination head: fitted on the train split's sample (no test row, no gede), scored on the test rows
const trainData = await prepareInputs({ rows: trainRows, embedder: enc.embedder, encoderFiles: enc.files, ...headsInputOptions(heads), log });
await enc.embedder?.close();
const trainAi = predictAll(heads, trainData.X).map((p) => p.aiProbability);
const head = fitLogistic(
  trainRows.map((r, i) => combinationInputs(trainAi[i], cached.get(r.id)! as Record<LikelihoodFeature, number>)),
  trainRows.map((r) => (r.llm ? 1 : 0)),
  { features: [...COMBINATION_FEATURES], classes: ['human', 'llm'], l2: 1e-2, classWeights: 'balanced' },
);
const headPath = path.join(modelDir, 'head.json');
writeFileSync(headPath, JSON.stringify({ ...head.toJSON(), heads: heads.config.version, trained_on: { split: 'train', rows: trainRows.length, per_class: trainPerClass, max_tokens: maxTokens, sources: [...new Set(trainRows.map((r) => r.source))].sort() } }, null, 2) + '\n');
const modelCfgPath = path.join(modelDir, 'config.json');
const modelCfg = JSON.parse(readFileSync(modelCfgPath, 'utf8'));
modelCfg.files['head.json'] = sha256(readFileSync(headPath));
writeFileSync(modelCfgPath, JSON.stringify(modelCfg, null, 2) + '\n');
log(`wrote ${headPath} (fitted on ${trainRows.length} train rows) and its sha256 into config.json`);
const shipped = rows.map((_, i) => head.logOdds(Float64Array.from(featuresOf(i))));
const scorers: [string, number[]][] = [
  ['shipped heads (ai_probability)', aiProb],
  ['Fast-DetectGPT (zero-shot)', rows.map((r) => cached.get(r.id)!.lm_fast_detectgpt)],
  ['mean log-probability (zero-shot)', rows.map((r) => cached.get(r.id)!.lm_logp_mean)],
  ['mean log-rank, negated (zero-shot)', rows.map((r) => -cached.get(r.id)!.lm_log_rank_mean)],
  ['likelihood features only (logistic, LOSO)', stacked(lmCols)],
  ['heads + likelihood (logistic, LOSO)', stacked(null)],
  ['heads + likelihood (shipped head.json, fit on the train sample)', shipped],
];

function fprAtRecall(scores: number[], idx: number[], humanIdx: number[], recall = 0.9): number {
  const llm = idx.filter((i) => y[i] === 1).map((i) => scores[i]).sort((a, b) => b - a);
  if (llm.length === 0 || humanIdx.length === 0) return NaN;
  const t = llm[Math.min(llm.length - 1, Math.ceil(recall * llm.length) - 1)];
  return humanIdx.filter((i) => scores[i] >= t).length / humanIdx.length;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
const md: string[] = [];
md.push('# Likelihood features (zero-shot, SmolLM2-135M) against and on top of the text heads');
md.push('');
md.push(
  `Measured ${new Date().toISOString()} by \`npx tsx training/eval-likelihood.ts --per-class ${perClass} --train-per-class ${trainPerClass} --max-tokens ${maxTokens}\` ` +
    `(${Math.round((Date.now() - t0) / 1000)} s with cached scores). Data: a seeded sample of the test split of every text set, at most ${perClass} human and ${perClass} LLM rows a set ` +
    `(gede: ${2 * perClass} of each of its three groups), ${rows.length} rows; the likelihood model read the first ${maxTokens} tokens of each. ` +
    'The shipped heads never trained on test rows. "heads + likelihood (logistic, LOSO)" and "likelihood features only" are logistic regressions fitted leave-one-source-out on this sample ' +
    '(a set\'s rows are scored by a fit on the other sets; gede never fits), so they are a small-sample estimate of what joining the features to the heads would give on a set never trained on, not the card\'s full leave-one-source-out. ' +
    `"shipped head.json" is the combination the service answers with (\`likelihood.ai_probability\`): one logistic regression over ${COMBINATION_FEATURES.join(', ')}, fitted on a sample of the train split drawn the same way (${trainRows.length} rows, every set but gede) and scored here on the test rows. ` +
    'On train rows the heads\' ai_probability is in-sample (the heads trained on them), so this fit leans on it more than a fit on held-out heads answers would; the LOSO column does not share that bias.',
);
md.push('');
md.push('AUROC (human vs LLM rows of the set) / human FPR at the threshold that catches 90% of the set\'s LLM rows:');
md.push('');
const evalSets = [...new Set(groups)].filter((g) => !g.startsWith('gede')).filter((g) => rows.some((r, i) => groups[i] === g && r.llm) && rows.some((r, i) => groups[i] === g && !r.llm));
md.push(`| set | n | ${scorers.map(([n]) => n).join(' | ')} |`);
md.push(`|---|---|${scorers.map(() => '---').join('|')}|`);
const metrics: Record<string, Record<string, { auroc: number; fpr_at_recall_0_90: number }>> = {};
const means = scorers.map(() => [0, 0]);
for (const g of evalSets) {
  const idx = rows.flatMap((_, i) => (groups[i] === g ? [i] : []));
  const human = idx.filter((i) => y[i] === 0);
  const cells = scorers.map(([name, s], k) => {
    const a = auroc(idx.map((i) => s[i]), idx.map((i) => y[i]));
    const f = fprAtRecall(s, idx, human);
    (metrics[g] ??= {})[name] = { auroc: a, fpr_at_recall_0_90: f };
    means[k][0] += a / evalSets.length;
    means[k][1] += f / evalSets.length;
    return `${fmt(a)} / ${pct(f)}`;
  });
  md.push(`| ${g} | ${idx.length} | ${cells.join(' | ')} |`);
}
md.push(`| **mean of ${evalSets.length} sets** | | ${means.map(([a, f]) => `**${fmt(a)} / ${pct(f)}**`).join(' | ')} |`);
md.push('');
md.push('gede (never trained on), human essays by who wrote them, against its generated essays: AUROC / FPR at 90% recall:');
md.push('');
md.push(`| human group | n | ${scorers.map(([n]) => n).join(' | ')} |`);
md.push(`|---|---|${scorers.map(() => '---').join('|')}|`);
const gen = rows.flatMap((_, i) => (groups[i] === 'gede-generated' ? [i] : []));
for (const [g, label] of [['gede-human-ielts', 'IELTS essays (non-native writers)'], ['gede-human-argumentative', 'argumentative essays (native students)']] as const) {
  const human = rows.flatMap((_, i) => (groups[i] === g ? [i] : []));
  const idx = [...human, ...gen];
  const cells = scorers.map(([name, s]) => {
    const a = auroc(idx.map((i) => s[i]), idx.map((i) => y[i]));
    const f = fprAtRecall(s, idx, human);
    (metrics[g] ??= {})[name] = { auroc: a, fpr_at_recall_0_90: f };
    return `${fmt(a)} / ${pct(f)}`;
  });
  md.push(`| ${label} | ${human.length} + ${gen.length} generated | ${cells.join(' | ')} |`);
}
md.push('');
const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / Math.max(1, list.length);
const byGroup = (g: string, f: string) => mean(rows.flatMap((r, i) => (groups[i] === g ? [cached.get(r.id)![f]] : [])));
md.push(
  'Mean per group (the perplexity bias): ' +
    ['gede-human-ielts', 'gede-human-argumentative', 'gede-generated']
      .map((g) => `${g}: mean log-probability ${fmt(byGroup(g, 'lm_logp_mean'))}, Fast-DetectGPT ${fmt(byGroup(g, 'lm_fast_detectgpt'))}`)
      .join('; ') +
    '.',
);
md.push('');
md.push(
  'How it ships: opt-in. An instance started with `LIKELIHOOD=on` answers `likelihood: true` with the features, and, when the role task ran, with the ' +
    'combination above as `likelihood.ai_probability` and its signed explanation; the top-level `ai_probability`, `role`, `decision` and `involvement` are the text heads\' alone. ' +
    'The rule for turning it on by default (clean leave-one-source-out role macro-F1 up by 0.03 or more, at no more than the encoder pass\'s cost) is not met on cost: ' +
    'the model reads a 500-word text many times slower than the encoder (bench/RESULTS.md, section 10). ' +
    `Not measured: the role and involvement heads retrained with these features under the card's full leave-one-source-out; the features of the whole corpus (about 26,000 texts) would take hours of this 2-core CPU (bench/RESULTS.md section 10 has the cost per text).`,
);
md.push('');
writeFileSync(path.resolve('models/card/likelihood.md'), md.join('\n') + '\n');
writeFileSync(
  path.join(modelDir, 'metrics.json'),
  JSON.stringify({ measured: new Date().toISOString(), per_class: perClass, max_tokens: maxTokens, rows: rows.length, mean_over_sets: Object.fromEntries(scorers.map(([n], k) => [n, { auroc: means[k][0], fpr_at_recall_0_90: means[k][1] }])), sets: metrics }, null, 2) + '\n',
);
log(`wrote models/card/likelihood.md (${Math.round((Date.now() - t0) / 1000)} s)`);
