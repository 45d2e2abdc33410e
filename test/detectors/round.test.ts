import t from 'tap';
import fc from 'fast-check';
import { roundDistribution } from '../../src/detectors/text.js';

const ROLES = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender'] as const;

t.test('rounded probabilities still sum to 1 and each moves by less than one unit of the last decimal', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 1e-9, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }), (w) => {
      const total = w.reduce((a, b) => a + b, 0);
      const p = Object.fromEntries(ROLES.map((r, i) => [r, w[i] / total])) as Record<(typeof ROLES)[number], number>;
      const q = roundDistribution(p, 6);
      const sum = ROLES.reduce((s, r) => s + q[r], 0);
      if (Math.abs(sum - 1) > 1e-9) return false;
      return ROLES.every((r) => Math.abs(q[r] - p[r]) < 1e-6 && Math.abs(q[r] * 1e6 - Math.round(q[r] * 1e6)) < 1e-6);
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 random distributions');
});

t.test('a case that independent rounding gets wrong', async (t) => {
  // each rounds up on its own (0.2500005 -> 0.250001), which would sum to 1.000002
  const p = { a: 0.2500005, b: 0.2500005, c: 0.2499995, d: 0.2499995 };
  const independent = Object.values(p).reduce((s, x) => s + Math.round(x * 1e6) / 1e6, 0);
  t.not(Math.round(independent * 1e6), 1e6, 'independent rounding misses 1');
  const q = roundDistribution(p, 6);
  t.equal(Math.round((q.a + q.b + q.c + q.d) * 1e6), 1e6);
  t.same(Object.keys(q), ['a', 'b', 'c', 'd'], 'keys kept in order');
});
