import t from 'tap';
import fc from 'fast-check';
import { combineRatio, consistentRatio, type ConsistentRatioJSON } from '../../src/heads/text-heads.js';

// ROLES order: human_author, llm_creator, llm_polisher, llm_extender
const dist = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }))
  .map((w) => {
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / s);
  });
const unit = fc.double({ min: 0, max: 1, noNaN: true });
const settings = fc.record({ sharpness: fc.constantFrom(1, 1.5, 2, 3, 4, 6, 8), band_slope: fc.constantFrom(1, 2, 5, 10, 25) });
const argmax = (p: number[]) => p.reduce((k, v, i) => (v > p[k] ? i : k), 0);

t.test('the ratio never contradicts the likeliest role', async (t) => {
  fc.assert(
    fc.property(dist, unit, unit, settings, (p, gP, gE, c) => {
      const r = consistentRatio(p, gP, gE, c);
      if (!(r >= 0 && r <= 1)) return false;
      const k = argmax(p);
      if (k === 0 && r > 0.5) return false;
      if (k === 1 && r < 0.5) return false;
      return true;
    }),
    { numRuns: 20000 },
  );
});

t.test('a small change of the probabilities moves it a little (no jump at the human/LLM boundary)', async (t) => {
  // moving mass eps from one role to another changes each probability by at most eps; the ratio's slope
  // is bounded by max(k / min P, s) (text-heads.ts) and the regressors' values are in [0, 1], so with
  // every P >= 0.05 a step of 1e-4 moves it by at most 1e-4 * max(k / 0.05, s) * 2
  fc.assert(
    fc.property(dist, unit, unit, settings, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (p0, gP, gE, c, from, to) => {
      const p = p0.map((v) => 0.05 + 0.8 * v); // every P in [0.05, 0.85], sum 1
      const eps = 1e-4;
      if (from === to || p[from] < eps) return true;
      const q = [...p];
      q[from] -= eps;
      q[to] += eps;
      const bound = 2 * eps * Math.max(c.sharpness / (0.05 - eps), c.band_slope);
      return Math.abs(consistentRatio(p, gP, gE, c) - consistentRatio(q, gP, gE, c)) <= bound;
    }),
    { numRuns: 20000 },
  );
});

t.test('on the human/creator tie it is 0.5, and the weighted median it replaced jumps there', async (t) => {
  const c: ConsistentRatioJSON = { sharpness: 2, band_slope: 5 };
  const below = [0.4999, 0.3, 0.2001, 0]; // human_author likeliest, but the median lands on the polisher's 0.9
  const above = [0.5001, 0.3, 0.1999, 0];
  t.equal(combineRatio('role-median', { p: below, gP: 0.9, gE: 0.5, direct: undefined }), 0.9, 'the old point: human_author with 0.9');
  t.equal(combineRatio('role-median', { p: above, gP: 0.9, gE: 0.5, direct: undefined }), 0, '... and 0 a hair away');
  const a = combineRatio('role-consistent', { p: below, gP: 0.9, gE: 0.5, direct: undefined }, c);
  const b = combineRatio('role-consistent', { p: above, gP: 0.9, gE: 0.5, direct: undefined }, c);
  t.ok(a <= 0.5 && b <= 0.5 && Math.abs(a - b) < 1e-3, `role-consistent: ${a} and ${b}`);
  t.equal(consistentRatio([0.45, 0.45, 0.05, 0.05], 0.9, 0.9, c), 0.5, 'tie between human_author and llm_creator');
});

t.test('sharpness 1 is the plain mixture mean inside the band; a sharper one nears the likeliest role', async (t) => {
  const p = [0.1, 0.2, 0.6, 0.1];
  const mean = 0.2 + 0.6 * 0.4 + 0.1 * 0.5;
  t.ok(Math.abs(consistentRatio(p, 0.4, 0.5, { sharpness: 1, band_slope: 25 }) - mean) < 1e-12);
  const sharp = consistentRatio(p, 0.4, 0.5, { sharpness: 8, band_slope: 25 });
  t.ok(Math.abs(sharp - 0.4) < Math.abs(mean - 0.4) && Math.abs(sharp - 0.4) < 0.01, `k = 8: ${sharp} near the polisher's 0.4`);
  t.throws(() => combineRatio('role-consistent', { p, gP: 0.4, gE: 0.5, direct: undefined }), /needs its settings/);
});
