/**
 * Writes the evaluation sample (DEFAULT_CAPS, as `npm run eval`) and the shipped heads' inputs and
 * predictions to training/.cache/exp/ for the Python experiments beside this file:
 *   sample.jsonl            {id, text, source, domain, split, role, pr, eval, subset, group, mined}
 *   preds-<heads>.jsonl     {id, p: HeadPrediction} for models/heads and models/heads-features-only
 *   X.jsonl                 {id, x: the default heads' raw input vector}
 * Usage: npx tsx training/experiments/export-sample.ts   (uses the feature/embedding caches of npm run train)
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadTextCorpus } from '../datasets/text.js';
import { sampleRows, prepareInputs, headsInputOptions, DEFAULT_CAPS } from '../datasets/text-pipeline.js';
import { predictAll } from '../../src/heads/text-fit.js';
import { TextHeads } from '../../src/heads/text-heads.js';
import { openEmbedder } from '../train-text.js';

const out = path.resolve('training/.cache/exp');
mkdirSync(out, { recursive: true });
/** One JSON line per item, written a thousand lines at a time (the whole file as one string passes V8's string limit). */
function writeLines(file: string, items: unknown[]): void {
  writeFileSync(file, '');
  for (let i = 0; i < items.length; i += 1000) appendFileSync(file, items.slice(i, i + 1000).map((x) => JSON.stringify(x) + '\n').join(''));
}
const all = loadTextCorpus({ includeEval: true });
const sample = sampleRows(all, DEFAULT_CAPS);
writeLines(path.join(out, 'sample.jsonl'), sample.map((r) => ({ id: r.id, text: r.text, source: r.source, domain: r.domain, split: r.split, role: r.role, pr: r.pr, eval: !!r.evalOnly, subset: r.subset, group: r.group, mined: r.mined ?? null })));
for (const dir of ['models/heads', 'models/heads-features-only']) {
  const heads = await TextHeads.load(path.resolve(dir));
  const enc = await openEmbedder(heads.config.encoder ? path.resolve('models/encoder') : null, 'fp32');
  const data = await prepareInputs({ rows: sample, embedder: enc.embedder, encoderFiles: enc.files, ...headsInputOptions(heads), log: console.log });
  await enc.embedder?.close();
  const preds = predictAll(heads, data.X);
  writeLines(path.join(out, `preds-${path.basename(dir)}.jsonl`), sample.map((r, i) => ({ id: r.id, p: preds[i] })));
  if (dir === 'models/heads') writeLines(path.join(out, 'X.jsonl'), sample.map((r, i) => ({ id: r.id, x: Array.from(data.X[i]) })));
  console.log(`wrote ${dir} predictions for ${sample.length} rows (${data.inputs.length} inputs)`);
}
