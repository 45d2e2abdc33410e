/**
 * Format artefacts: before the fix a classifier on the format alone (fractional part of a score, or
 * whether it is on the human scale) separates human from LLM judgments; after the committed rubrics'
 * normalisation (and the loaders' means of 3) it is at chance. Synthetic data, real normalisation code
 * and the committed rubric definitions.
 */
import t from 'tap';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { normalizeScore, type RubricSchema } from '../../src/features/judgment.js';
import { fitLogistic } from '../../training/fit/logistic.js';
import { auroc } from '../../training/datasets/judgments-pipeline.js';
import { isMeanOfThree, ICLR_LEVELS } from '../../training/datasets/judgments-text.js';
import { mulberry32 } from '../../training/datasets/judgments.js';

function rubric(id: string): RubricSchema {
  const f = path.resolve('models', 'judgments', id, 'rubric.json');
  return JSON.parse(readFileSync(f, 'utf8')) as RubricSchema;
}

/** out-of-sample AUROC of a logistic regression on one feature (rows i % 4 < 2 train, the rest test) */
function formatAuroc(x: number[], y: number[]): number {
  const tr = x.map((_, i) => i).filter((i) => i % 4 < 2);
  const te = x.map((_, i) => i).filter((i) => i % 4 >= 2);
  const m = fitLogistic(
    tr.map((i) => [x[i]]),
    tr.map((i) => y[i]),
    { l2: 1e-3 },
  );
  return auroc(
    te.map((i) => m.logOdds([x[i]])),
    te.map((i) => y[i]),
  );
}
const frac = (v: number) => v - Math.floor(v);

const rand = mulberry32(42);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const mean3 = (f: () => number) => (f() + f() + f()) / 3;

for (const id of ['topical_chat', 'hanna_story']) {
  t.test(`${id}: mean-of-3 format artefact is gone`, async (t) => {
    if (!existsSync(path.resolve('models', 'judgments', id, 'rubric.json'))) {
      t.skip(`${id} not trained`);
      return;
    }
    const dim = rubric(id).dimensions[1];
    t.equal(dim.normalize, 'round', 'the committed rubric rounds this dimension');
    const n = 2000;
    const y: number[] = [];
    const naive: number[] = [];
    const fixed: number[] = [];
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      y.push(label);
      // same judging distribution on both sides: only the format differs
      const one = () => int(dim.min, dim.max);
      // naive: one side is a mean of 3, the other a single sample
      const nv = label === 0 ? mean3(one) : one();
      naive.push(nv);
      // fixed: means of 3 on both sides, then the rubric's normalisation
      const m = mean3(one);
      if (!isMeanOfThree(m)) t.fail('a mean of 3 integers is on the 1/3 lattice');
      fixed.push(normalizeScore(dim, m));
    }
    const before = formatAuroc(naive.map(frac), y);
    const after = formatAuroc(fixed.map(frac), y);
    t.ok(before > 0.75, `fractional part separates the naive data (AUROC ${before.toFixed(3)})`);
    t.ok(Math.abs(after - 0.5) < 0.05, `after the fix it is at chance (AUROC ${after.toFixed(3)})`);
    t.ok(fixed.every((v) => Number.isInteger(v) && v >= dim.min && v <= dim.max), 'normalised values are on the integer scale');
  });
}

t.test('iclr_review: scale-membership artefact is gone', async (t) => {
  if (!existsSync(path.resolve('models', 'judgments', 'iclr_review', 'rubric.json'))) {
    t.skip('iclr_review not trained');
    return;
  }
  const dim = rubric('iclr_review').dimensions[0];
  t.same(dim.levels, ICLR_LEVELS);
  const n = 2000;
  const y: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    y.push(label);
    raw.push(label === 0 ? ICLR_LEVELS[int(0, 5)] : int(1, 10));
  }
  const member = (v: number) => (ICLR_LEVELS.includes(v) ? 1 : 0);
  const before = formatAuroc(raw.map(member), y);
  const mapped = raw.map((v) => normalizeScore(dim, v));
  const after = formatAuroc(mapped.map(member), y);
  t.ok(before > 0.6, `membership separates raw ratings (AUROC ${before.toFixed(3)})`);
  t.equal(after, 0.5, 'after mapping every rating is on the ICLR scale: chance');
  t.ok(mapped.every((v) => ICLR_LEVELS.includes(v)));
  // human ratings are unchanged by the mapping
  for (const l of ICLR_LEVELS) t.equal(normalizeScore(dim, l), l);
});

t.test('committed metrics record the real-data artefact check at chance', async (t) => {
  for (const id of ['topical_chat', 'hanna_story', 'iclr_review']) {
    const f = path.resolve('models', 'judgments', id, 'metrics.json');
    if (!existsSync(f)) continue;
    const m = JSON.parse(readFileSync(f, 'utf8')) as { artefact_check?: { after_normalization: { auroc: number } } };
    t.ok(m.artefact_check, `${id} has an artefact check`);
    t.ok(Math.abs(m.artefact_check!.after_normalization.auroc - 0.5) < 0.06, `${id}: format-only AUROC after normalisation ${m.artefact_check!.after_normalization.auroc}`);
  }
});
