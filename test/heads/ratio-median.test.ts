import t from 'tap';
import fc from 'fast-check';
import { combineRatio, roleMixtureMedian } from '../../src/heads/text-heads.js';

// ROLES order: human_author, llm_creator, llm_polisher, llm_extender
const expectedAbsError = (v: number, p: number[], gP: number, gE: number) =>
  p[0] * Math.abs(v - 0) + p[1] * Math.abs(v - 1) + p[2] * Math.abs(v - gP) + p[3] * Math.abs(v - gE);

const dist = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }))
  .map((w) => {
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / s);
  });

t.test('the role-mixture median minimises the expected absolute error', async (t) => {
  fc.assert(
    fc.property(dist, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (p, gP, gE) => {
      const m = roleMixtureMedian(p, gP, gE);
      const em = expectedAbsError(m, p, gP, gE);
      // no point on a fine grid, nor the mixture mean, does better
      const mean = p[1] + p[2] * gP + p[3] * gE;
      for (let v = 0; v <= 1.0000001; v += 0.01) if (expectedAbsError(v, p, gP, gE) < em - 1e-9) return false;
      return expectedAbsError(mean, p, gP, gE) >= em - 1e-9;
    }),
  );
});

t.test('role-median follows the probable role; role-mixture averages', async (t) => {
  const parts = { p: [0.6, 0.3, 0.05, 0.05], gP: 0.4, gE: 0.5, direct: 0.2 };
  t.equal(combineRatio('role-median', parts), 0, 'a text that is more likely human than not gets ratio 0');
  t.ok(Math.abs(combineRatio('role-mixture', parts) - (0.3 + 0.05 * 0.4 + 0.05 * 0.5)) < 1e-12, 'the mixture mean');
  t.equal(combineRatio('direct', parts), 0.2);
  t.ok(Math.abs(combineRatio('blend', parts) - (0.345 + 0.2) / 2) < 1e-12);
  t.equal(combineRatio('role-median', { ...parts, p: [0.1, 0.2, 0.6, 0.1] }), 0.4, 'a likely polished text gets its polisher ratio');
  t.equal(combineRatio('role-median', { ...parts, p: [0.1, 0.55, 0.2, 0.15] }), 1, 'a likely generated text gets 1');
  t.equal(combineRatio('direct', { ...parts, direct: 1.7 }), 1, 'clipped to [0, 1]');
});
