/**
 * `npm run eval` (after eval-text): the shipped text heads on LLM text from generators and genres they never
 * trained on (the opt-in sets of LLM text of training/datasets/text.ts: iclr-reviews, mt-bench), every sampled
 * row: recall at the offered rates, the role read, the PR error. Writes models/card/text-unseen.md (each set
 * over all its generators) and models/card/details/text-unseen.md (one row per generator too).
 *
 *   npx tsx training/eval-unseen.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isHumanOnly, loadTextCorpus, TEXT_SOURCES } from './datasets/text.js';
import { DEFAULT_CAPS, headsInputOptions, prepareInputs, sampleRows } from './datasets/text-pipeline.js';
import { predictAll } from './fit/text-heads.js';
import { TextHeads } from '../src/heads/text-heads.js';
import { ROLES } from '../src/detectors/types.js';
import { openEmbedder } from './train-text.js';

const log = (m: string) => console.error(`[eval-unseen] ${m}`);
const headsDirs = ['models/heads', 'models/heads-features-only'];
const cardPath = path.resolve('models/card/text-unseen.md');
// the opt-in sets of LLM text (a human-only opt-in set, e.g. sotu, is measured by leave-one-source-out instead)
const optIn = TEXT_SOURCES.filter((s) => s.optIn && !isHumanOnly(s)).map((s) => s.id);
const t0 = Date.now();
const rows = sampleRows(loadTextCorpus({ sources: optIn, includeEval: false }), DEFAULT_CAPS);
if (rows.length === 0) throw new Error(`no rows of ${optIn.join(', ')} in the data directory`);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const md: string[] = [];
/** the details page: the same tables with a row per generator */
const det: string[] = [
  '# Text heads on generators and genres they never trained on: one row per generator',
  '',
  'Written with the model card\'s section "Text heads on generators and genres they never trained on" by `npx tsx training/eval-unseen.ts`; the data and the metrics are described there ([MODEL_CARD.md](../../MODEL_CARD.md)).',
  '',
];
md.push('# Text heads on generators and genres they never trained on');
md.push('');
md.push(
  `Measured ${new Date().toISOString()} by \`npx tsx training/eval-unseen.ts\` (part of \`npm run eval\`). Data: the opt-in sets ${optIn.join(', ')} (model card, data sets), ` +
    `every sampled row (DEFAULT_CAPS: at most 600 / 220 / 220 per split; all splits, since no row of these sets trained or calibrated the heads). ` +
    'They hold LLM text only (fully generated, PR 1), so the metrics are recall: the share flagged as LLM-involved at the threshold of each offered false-positive rate ' +
    '(max_false_positive_rate 0.01 / 0.05 (default) / 0.1), the share whose role is read as llm_creator and as human_author, the mean ai_probability, and the PR MAE. ' +
    'The genres (paper reviews, chat answers) are new to the heads; since heads 1.2.0 some generators are not: the wider training sets hold GPT-3.5, GPT-4 and GPT-4o text (imbd, l2r, detectrl, fast-detect-gpt, glimpse, herbold-essays).',
);
md.push('');

for (const dir of headsDirs) {
  const heads = await TextHeads.load(path.resolve(dir));
  const trained = new Set((heads.config.training_data ?? []).map((t) => String(t.source)));
  const overlap = optIn.filter((s) => trained.has(s));
  if (overlap.length) throw new Error(`${dir} was trained on ${overlap.join(', ')}: not unseen`);
  const enc = await openEmbedder(heads.config.encoder ? path.resolve('models/encoder') : null, 'fp32');
  const data = await prepareInputs({
    rows,
    embedder: enc.embedder,
    encoderFiles: enc.files,
    ...headsInputOptions(heads),
    log,
  });
  await enc.embedder?.close();
  const preds = predictAll(heads, data.X);
  const th = heads.config.thresholds as { ai_probability: number; by_heldout_fpr?: Record<string, number> };
  // the thresholds of max_false_positive_rate 0.01, 0.05 (the default) and 0.1
  const thresholds = [th.by_heldout_fpr?.fpr_0_01 ?? NaN, th.ai_probability, th.by_heldout_fpr?.fpr_0_10 ?? NaN];
  for (const out of [md, det]) {
    out.push(`## ${dir} (heads ${heads.config.version})`);
    out.push('');
    out.push(`| data set | generator | n | recall at 0.01 | recall at 0.05 (default) | recall at 0.1 | read as llm_creator | read as human_author | mean ai_probability | PR MAE |`);
    out.push('|---|---|---|---|---|---|---|---|---|---|');
  }
  // per data set: all its rows first, then one line per generator
  const groups: [string, string, number[]][] = [];
  for (const source of [...new Set(rows.map((r) => r.source))].sort()) {
    const idx = rows.flatMap((r, i) => (r.source === source ? [i] : []));
    groups.push([source, '(all)', idx]);
    for (const gen of [...new Set(idx.map((i) => rows[i].generator ?? '?'))].sort())
      groups.push([source, gen, idx.filter((i) => (rows[i].generator ?? '?') === gen)]);
  }
  const summary: Record<string, Record<string, number>> = {};
  for (const [source, gen, idx] of groups) {
    const p = idx.map((i) => preds[i]);
    const share = (f: (x: (typeof p)[number]) => boolean) => p.filter(f).length / p.length;
    const rec = thresholds.map((t) => share((x) => x.aiProbability >= t));
    const creator = share((x) => x.label === 'llm_creator');
    const human = share((x) => x.label === 'human_author');
    const meanAi = p.reduce((a, x) => a + x.aiProbability, 0) / p.length;
    const mae = p.reduce((a, x) => a + Math.abs(1 - x.ratio), 0) / p.length;
    const line = `| ${source} | ${gen} | ${idx.length} | ${rec.map(pct).join(' | ')} | ${pct(creator)} | ${pct(human)} | ${meanAi.toFixed(3)} | ${mae.toFixed(3)} |`;
    det.push(line);
    if (gen === '(all)') md.push(line);
    if (gen === '(all)') summary[source] = { n: idx.length, recall_default: rec[1], read_as_creator: creator, read_as_human: human, pr_mae: mae };
  }
  det.push('');
  md.push('');
  md.push(`Roles read (all rows): ${ROLES.map((role) => `${role} ${pct(preds.filter((x) => x.label === role).length / preds.length)}`).join(', ')}.`);
  md.push('');
  log(`${dir}: ${JSON.stringify(summary)}`);
}
md.push(`(${Math.round((Date.now() - t0) / 1000)} s.) One row per generator: [details](card/details/text-unseen.md). Why iclr-reviews are read as polished and what training on them did (2026-12-03): [history](card/history.md).`);
const detailsPath = path.join(path.dirname(cardPath), 'details', path.basename(cardPath));
mkdirSync(path.dirname(detailsPath), { recursive: true });
writeFileSync(cardPath, md.join('\n') + '\n');
writeFileSync(detailsPath, det.join('\n'));
log(`wrote ${cardPath} and ${detailsPath}`);
