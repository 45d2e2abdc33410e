import t from 'tap';
import { decisionFor } from '../../src/detectors/text.js';
import { InputError } from '../../src/detectors/types.js';

const thresholds = { ai_probability: 0.87, by_validation_fpr: { fpr_0_01: 0.96, fpr_0_05: 0.8693, fpr_0_10: 0.72 } };

t.test('flagged iff the AI probability reaches the threshold of the asked rate', async (t) => {
  t.same(decisionFor(0.9, thresholds, 0.05), { flagged: true, threshold: 0.87, max_false_positive_rate: 0.05 }, 'the default rate uses the published default threshold');
  t.same(decisionFor(0.9, thresholds, 0.01), { flagged: false, threshold: 0.96, max_false_positive_rate: 0.01 });
  t.same(decisionFor(0.75, thresholds, 0.1), { flagged: true, threshold: 0.72, max_false_positive_rate: 0.1 });
  t.equal(decisionFor(0.96, thresholds, 0.01).flagged, true, 'reaching the threshold flags');
  t.equal(decisionFor(0.959999, thresholds, 0.01).flagged, false);
});

t.test('thresholds for unseen data sets win over the validation split\'s', async (t) => {
  const both = { ...thresholds, by_heldout_fpr: { fpr_0_01: 0.98, fpr_0_05: 0.87, fpr_0_10: 0.8 } };
  t.equal(decisionFor(0.97, both, 0.01).threshold, 0.98);
  t.equal(decisionFor(0.97, both, 0.01).flagged, false, 'flagged at the validation threshold 0.96, not at the held-out one');
  t.equal(decisionFor(0.79, both, 0.1).threshold, 0.8);
  t.equal(decisionFor(0.9, both, 0.05).threshold, 0.87, 'the default rate still uses the published default threshold');
});

t.test('heads without per-rate thresholds use their one threshold', async (t) => {
  for (const r of [0.01, 0.05, 0.1]) t.equal(decisionFor(0.5, { ai_probability: 0.6 }, r).threshold, 0.6);
});

t.test('a rate that is not offered is an input error naming the field', async (t) => {
  let err: unknown;
  try {
    decisionFor(0.5, thresholds, 0.2);
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof InputError, 'an InputError');
  t.equal((err as InputError).path, '/max_false_positive_rate');
});
