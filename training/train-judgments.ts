/**
 * Trains one judgment head per rubric from ../shared/data (second half of `npm run train`).
 *
 *   tsx training/train-judgments.ts [rubric ...]      (default: all rubrics)
 *
 * Writes models/judgments/<rubric>/{rubric.json, head.json, bias.json} (+ head-scores-only.json for
 * text-bearing rubrics, used by the evaluation to show what the candidate features add) and
 * models/judgments/config.json (sha256 of every file). Deterministic: fixed split seed, L-BFGS from zero.
 * Environment: DATA_DIR (default ../shared/data), MODEL_DIR (default ./models).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  RUBRIC_IDS,
  biasReport,
  prepare,
  topWeights,
  trainHead,
  writeJudgmentConfig,
  type RubricId,
} from './datasets/judgments-pipeline.js';

const MODEL_DIR = path.resolve(process.env.MODEL_DIR ?? 'models');
const OUT = path.join(MODEL_DIR, 'judgments');
const VERSION = process.env.JUDGMENT_MODEL_VERSION ?? '1.0.0';

const args = process.argv.slice(2);
const ids = (args.length ? args : RUBRIC_IDS) as RubricId[];
for (const id of ids) if (!RUBRIC_IDS.includes(id)) throw new Error(`unknown rubric ${id}; known: ${RUBRIC_IDS.join(', ')}`);

const log = (m: string) => console.log(`[train-judgments] ${m}`);
const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

for (const id of ids) {
  const t0 = Date.now();
  const p = prepare(id, undefined, log);
  const dir = path.join(OUT, id);
  mkdirSync(dir, { recursive: true });
  const count = (rows: typeof p.train) => ({ human: rows.filter((r) => r.label === 0).length, llm: rows.filter((r) => r.label === 1).length });
  const full = trainHead(p, !!p.def.candidate, log);
  const rubric = {
    ...full.schema,
    judge: p.def.judge,
    model: { id: `llm-provenance-judgment-${id}`, version: VERSION },
    data: {
      provenance: p.data.provenance,
      split: p.split.method,
      train: count(p.train),
      test: count(p.test),
      candidates: p.data.candidates.size,
    },
    training: { head: 'logistic regression (L-BFGS, class-balanced weights)', ...full.cv },
  };
  writeFileSync(path.join(dir, 'rubric.json'), json(rubric));
  writeFileSync(path.join(dir, 'head.json'), JSON.stringify(full.model.toJSON()) + '\n');
  const bias = { rubric: id, judge: p.def.judge, dimensions: biasReport(p.def, p.train, full.model), top_weights: topWeights(full.model) };
  writeFileSync(path.join(dir, 'bias.json'), json(bias));
  if (p.def.candidate) {
    const so = trainHead(p, false, log);
    writeFileSync(path.join(dir, 'head-scores-only.json'), JSON.stringify({ schema: so.schema, head: so.model.toJSON(), cv: so.cv }) + '\n');
  }
  log(`${id}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s (train ${JSON.stringify(count(p.train))}, test ${JSON.stringify(count(p.test))})`);
}
writeJudgmentConfig(OUT, VERSION);
log(`wrote ${path.relative(process.cwd(), path.join(OUT, 'config.json'))}`);
