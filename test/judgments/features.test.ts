import t from 'tap';
import {
  candidateFeatures,
  contextFeatures,
  judgmentFeatureNames,
  judgmentFeatures,
  levelsOf,
  normalizeScore,
  type RubricSchema,
} from '../../src/features/judgment.js';
import { TEXT_FEATURES } from '../../src/features/text.js';

const two: RubricSchema = {
  id: 'toy',
  description: 'toy',
  dimensions: [
    { name: 'a', min: 0, max: 2, integer: true },
    { name: 'b', min: 1, max: 3, integer: true },
  ],
  candidate_fields: [],
  scores_only: true,
  candidate: null,
  features: { one_hot: true, pairwise: true, candidate: false, interactions: [] },
  score_stats: { a: { mean: 1, sd: 0.5 }, b: { mean: 2, sd: 1 } },
  feature_version: 'x',
};

t.test('score normalisation', async (t) => {
  const round = { name: 'x', min: 1, max: 3, normalize: 'round' as const };
  t.equal(normalizeScore(round, 2 + 1 / 3), 2);
  t.equal(normalizeScore(round, 2 + 2 / 3), 3);
  t.equal(normalizeScore(round, 1.5), 2);
  t.equal(normalizeScore(round, 3), 3);
  const iclr = { name: 'rating', min: 1, max: 10, levels: [1, 3, 5, 6, 8, 10], normalize: 'floor_to_levels' as const };
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => normalizeScore(iclr, v)),
    [1, 1, 3, 3, 5, 6, 6, 8, 8, 10],
  );
  t.equal(normalizeScore({ name: 'y', min: 0, max: 4 }, 3), 3, 'none leaves the value');
  t.same(levelsOf({ name: 'y', min: -3, max: 3 }), [-3, -2, -1, 0, 1, 2, 3]);
  t.same(levelsOf(iclr), [1, 3, 5, 6, 8, 10]);
});

t.test('score features: names and hand-computed values', async (t) => {
  const names = judgmentFeatureNames(two);
  t.same(names.slice(0, 7), ['score:a', 'score:b', 'z:a', 'z:b', 'spread:sd_z', 'spread:range', 'spread:mean_unit']);
  t.same(names.slice(7, 13), ['a=0', 'a=1', 'a=2', 'b=1', 'b=2', 'b=3']);
  t.equal(names.length, 7 + 6 + 9);
  t.equal(names[13], 'a=0&b=1');
  t.equal(names[21], 'a=2&b=3');
  const v = judgmentFeatures(two, { a: 2, b: 1 });
  t.equal(v.length, names.length);
  const rec = Object.fromEntries(names.map((n, i) => [n, v[i]]));
  t.equal(rec['score:a'], 2);
  t.equal(rec['z:a'], 2); // (2-1)/0.5
  t.equal(rec['z:b'], -1); // (1-2)/1
  t.equal(rec['spread:sd_z'], 1.5); // z = [2,-1], mean 0.5, sd 1.5
  t.equal(rec['spread:range'], 1); // unit values [1, 0]
  t.equal(rec['spread:mean_unit'], 0.5);
  t.equal(rec['a=2'], 1);
  t.equal(rec['a=1'], 0);
  t.equal(rec['b=1'], 1);
  t.equal(rec['a=2&b=1'], 1);
  t.equal(
    names.filter((n) => n.includes('&')).reduce((s, n) => s + rec[n], 0),
    1,
    'exactly one pairwise cell is set',
  );
});

t.test('candidate-vs-prompt features (hand-computed)', async (t) => {
  const [ratio, jac, cov] = contextFeatures('The cat sat', 'the cat ran away');
  t.ok(Math.abs(ratio - Math.log(4 / 5)) < 1e-12);
  t.equal(jac, 2 / 5);
  t.equal(cov, 2 / 3);
  t.same(contextFeatures('', ''), [0, 0, 0]);
});

t.test('candidate features: text features + context, finite on odd inputs, interactions', async (t) => {
  const schema: RubricSchema = {
    ...two,
    scores_only: false,
    candidate: { text_field: 'response', context_fields: ['prompt'], required: ['response', 'prompt'] },
    candidate_fields: ['response', 'prompt'],
    features: { one_hot: false, pairwise: false, candidate: true, interactions: ['word_count'] },
  };
  const names = judgmentFeatureNames(schema);
  t.ok(names.includes('text:word_count'));
  t.ok(names.includes('cand:prompt_overlap'));
  t.ok(names.includes('z:a*text:word_count'));
  t.ok(names.includes('z:b*cand:prompt_length_ratio'));
  for (const text of ['', 'word', '😀😀 🎉', 'مرحبا بالعالم', '你好，世界。', 'x'.repeat(5000)]) {
    const c = candidateFeatures(schema, { response: text, prompt: 'say hello' });
    t.equal(c.length, TEXT_FEATURES.length + 3);
    const v = judgmentFeatures(schema, { a: 1, b: 3 }, c);
    t.equal(v.length, names.length);
    t.ok(v.every(Number.isFinite), `finite for ${JSON.stringify(text.slice(0, 10))}`);
  }
  const c = candidateFeatures(schema, { response: 'one two three four', prompt: 'one' });
  const v = judgmentFeatures(schema, { a: 2, b: 2 }, c);
  const rec = Object.fromEntries(names.map((n, i) => [n, v[i]]));
  t.equal(rec['text:word_count'], Math.asinh(4));
  t.equal(rec['z:a*text:word_count'], 2 * Math.asinh(4), 'interaction = z x candidate feature');
  t.equal(rec['z:b*text:word_count'], 0);
  t.throws(() => judgmentFeatures(schema, { a: 1, b: 1 }), /candidate features missing/);
  t.throws(() => judgmentFeatureNames({ ...schema, features: { ...schema.features, interactions: ['nope'] } }), /unknown text feature/);
});
