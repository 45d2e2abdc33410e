import t from 'tap';
import type { TextRow } from '../../training/datasets/text-common.js';
import type { HeadPrediction } from '../../src/heads/text-heads.js';
import { LOSO_CAP, fullyGenerated, gedeRanking, heldoutRates, trainRowsWhere, type LosoFold } from '../../training/loso.js';

// rows of two data sets, all human; a fold's validation rows are the other set's
const row = (source: string, i: number): TextRow =>
  ({ id: `${source}:${i}`, text: 'x', source, subset: 's', domain: 'd', group: `${source}:${i}`, split: 'validation', role: 'human_author', llm: false, pr: 0, lang: 'en' }) as TextRow;
const pred = (ai: number) => ({ aiProbability: ai }) as HeadPrediction;
const N = 1000;
const sample = [...Array.from({ length: N }, (_, i) => row('a', i)), ...Array.from({ length: N }, (_, i) => row('b', i))];
const a = sample.map((_, i) => i).filter((i) => sample[i].source === 'a');
const b = sample.map((_, i) => i).filter((i) => sample[i].source === 'b');
// validation human scores uniform on [0, 1); the held-out set's are shifted up by `shift`
const fold = (source: string, held: number[], val: number[], shift: number): LosoFold => ({
  source,
  heldOut: held,
  heldOutPreds: held.map((_, j) => pred(Math.min(0.99999, j / N + shift))),
  validation: val,
  validationPreds: val.map((_, j) => pred(j / N)),
});

t.test('a rate that carries over unchanged keeps its validation rate', async (t) => {
  const [r] = heldoutRates([fold('a', a, b, 0), fold('b', b, a, 0)], sample, [0.05]);
  t.ok(Math.abs(r.validation_rate - 0.05) < 0.002, `${r.validation_rate}`);
  t.ok(r.heldout_fpr <= 0.05);
});

t.test('held-out human texts that score higher push the validation rate down until the held-out FPR is the one asked', async (t) => {
  const rs = heldoutRates([fold('a', a, b, 0.05), fold('b', b, a, 0)], sample, [0.01, 0.05, 0.1]);
  // 0.01 cannot be reached: set a alone is flagged at 5% or more whatever the validation rate
  t.equal(rs[0].reached, false);
  t.equal(rs[0].validation_rate, 0.0005, 'the strictest rate tried');
  t.ok(rs[0].heldout_fpr > 0.01, 'and its held-out FPR is reported as it is');
  for (const r of rs.slice(1)) {
    t.equal(r.reached, true);
    t.ok(r.heldout_fpr <= r.rate + 1e-12, `mean held-out FPR ${r.heldout_fpr} <= ${r.rate}`);
    t.ok(r.validation_rate < r.rate, `validation rate ${r.validation_rate} < ${r.rate}`);
    t.ok(r.by_source.a > r.by_source.b, 'the shifted set is flagged more');
    // mean of (q + 0.05) and q = rate  ->  q = rate - 0.025 (when positive)
    if (r.rate > 0.03) t.ok(Math.abs(r.validation_rate - (r.rate - 0.025)) < 0.003, `${r.rate}: ${r.validation_rate}`);
  }
  t.ok(rs[0].validation_rate <= rs[1].validation_rate && rs[1].validation_rate <= rs[2].validation_rate, 'monotone in the rate');
});

t.test("'max' holds the worst held-out set to the rate, not the mean over sets", async (t) => {
  const [mean] = heldoutRates([fold('a', a, b, 0.02), fold('b', b, a, 0)], sample, [0.05]);
  const [worst] = heldoutRates([fold('a', a, b, 0.02), fold('b', b, a, 0)], sample, [0.05], 'max');
  // set a's held-out FPR is q + 0.02: the mean rule gives q = 0.04, the worst-set rule q = 0.03
  t.ok(Math.abs(mean.validation_rate - 0.04) < 0.002, `mean ${mean.validation_rate}`);
  t.ok(Math.abs(worst.validation_rate - 0.03) < 0.002, `max ${worst.validation_rate}`);
  t.ok(Math.max(...Object.values(worst.by_source)) <= 0.05 + 1e-12, 'every held-out set at or under the rate');
  t.ok(Math.max(...Object.values(mean.by_source)) > 0.05, 'the mean rule lets the worst set pass the rate');
});

t.test('folds without human texts in the held-out set are left out', async (t) => {
  const empty: LosoFold = { source: 'c', heldOut: [], heldOutPreds: [], validation: a, validationPreds: a.map(() => pred(0.5)) };
  const [r] = heldoutRates([fold('a', a, b, 0), empty], sample, [0.05]);
  t.same(Object.keys(r.by_source), ['a']);
});

t.test('gede ranking: humanised and paraphrased essays are not "fully generated"; AUROC and FPR at 90% recall', async (t) => {
  const g = (subset: string, role: TextRow['role'], domain = 'essay-ielts'): TextRow => ({ ...row('gede', 0), subset, role, domain });
  t.equal(fullyGenerated(g('ielts:task', 'llm_creator')), true);
  t.equal(fullyGenerated(g('ielts:task+summary', 'llm_creator')), true);
  t.equal(fullyGenerated(g('ielts:dipper:task', 'llm_creator')), false, 'paraphrased');
  t.equal(fullyGenerated(g('ielts:rewrite-135672', 'llm_creator')), false, 'humanised');
  t.equal(fullyGenerated(g('ielts:human', 'human_author')), false);
  // 10 human IELTS essays at 0.0..0.9, 10 generated essays at 0.525..0.975; argumentative human essays do not count
  const rows = [
    ...Array.from({ length: 10 }, () => g('ielts:human', 'human_author')),
    ...Array.from({ length: 10 }, () => g('ielts:summary', 'llm_creator')),
    g('brat-project:human', 'human_author', 'essay-argumentative'),
    g('ielts:dipper:task', 'llm_creator'),
  ];
  const ai = [...Array.from({ length: 10 }, (_, i) => i / 10), ...Array.from({ length: 10 }, (_, i) => 0.525 + i * 0.05), 1, 0];
  const r = gedeRanking(rows, ai)!;
  t.ok(Math.abs(r.threshold_at_recall_0_90 - 0.575) < 1e-9, 'the 10th percentile of the generated essays: 9 of 10 at or above it');
  t.equal(r.fpr_human_ielts_at_recall_0_90, 0.4, 'human essays at 0.6, 0.7, 0.8, 0.9');
  // pairs (human, generated) ordered right: for human i/10, generated above it
  let right = 0;
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) right += 0.525 + j * 0.05 > i / 10 ? 1 : 0;
  t.ok(Math.abs(r.auroc_ielts_vs_generated - right / 100) < 1e-9, `${r.auroc_ielts_vs_generated} vs ${right / 100}`);
  t.equal(gedeRanking(rows.slice(0, 10), ai.slice(0, 10)), null, 'no generated essays: no ranking');
});

t.test('trainRowsWhere: a fold learns from the train split of the sets it keeps, at most LOSO_CAP rows per stratum', async (t) => {
  // four sets, two roles each, train rows above the per-stratum cap, validation and test rows
  const rows: TextRow[] = [];
  for (const source of ['p', 'q', 'r', 's'])
    for (const role of ['human_author', 'llm_creator'] as const)
      for (const [split, n] of [['train', LOSO_CAP + 37], ['validation', 11], ['test', 7]] as const)
        for (let i = 0; i < n; i++) rows.push({ ...row(source, rows.length), split, role });
  const idx = trainRowsWhere(rows, (r) => r.source !== 'q');
  t.equal(idx.length, 3 * 2 * LOSO_CAP, 'capped per stratum');
  t.ok(idx.every((i) => rows[i].split === 'train' && rows[i].source !== 'q'), 'train rows of the kept sets only');
  t.same(idx, [...idx].sort((a, b) => a - b), 'ascending');
  t.same(trainRowsWhere(rows.slice().reverse(), (r) => r.source !== 'q').map((i) => rows.length - 1 - i).sort((a, b) => a - b), idx, 'the same rows whatever the order of the sample');
});
