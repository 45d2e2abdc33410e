/** The fits of training/fit/ on synthetic data, and the served heads they make (src/heads/). */
import { createHash } from 'node:crypto';
import t from 'tap';
import { clippedInterval } from '../../src/heads/calibration.js';
import { sigmoid, softmaxOf, SoftmaxHead } from '../../src/heads/linear.js';
import { lexiconVector } from '../../src/heads/lexicon.js';
import { conformalQuantile, expectedCalibrationError, fitTemperature, fitTemperatureBias, multiclassNLL } from '../../training/fit/calibration.js';
import { buildLexicon } from '../../training/fit/lexicon.js';
import { fitFractionalLogit, fitSoftmaxSets, fitStandardizer } from '../../training/fit/linear.js';
import { averageMlps, fitMlpSets } from '../../training/fit/mlp.js';
import { mulberry32 } from '../../training/fit/random.js';

const rng = mulberry32;
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

t.test('temperature scaling recovers an over-confident model', async (t) => {
  // true probabilities softmax(z); the model reports 3 z (over-confident): the fitted T is near 3
  const r = rng(7);
  const logits: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const z = [gauss(r), gauss(r), gauss(r)];
    const p = softmaxOf(z);
    const u = r();
    const k = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
    logits.push(z.map((v) => 3 * v));
    y.push(k);
  }
  const T = fitTemperature(logits, y);
  t.ok(T > 2.4 && T < 3.6, `T = ${T}`);
  t.ok(multiclassNLL(logits, y, T) < multiclassNLL(logits, y, 1), 'NLL improves');
  const tb = fitTemperatureBias(logits, y, 3, 2);
  t.ok(multiclassNLL(logits, y, tb.temperature, tb.bias) <= multiclassNLL(logits, y, T) + 1e-9, 'offsets never hurt the fit');
  // ECE: calibrated probabilities have a small ECE, the over-confident ones a larger one
  const ece = (Tt: number) => {
    const conf: number[] = [];
    const ok: boolean[] = [];
    logits.forEach((l, i) => {
      const p = softmaxOf(l, Tt);
      const k = p.indexOf(Math.max(...p));
      conf.push(p[k]);
      ok.push(k === y[i]);
    });
    return expectedCalibrationError(conf, ok);
  };
  t.ok(ece(T) < 0.03, `calibrated ECE ${ece(T)}`);
  t.ok(ece(1) > ece(T) + 0.05, `raw ECE ${ece(1)}`);
});

t.test('ECE of perfectly calibrated and of always-wrong predictions', async (t) => {
  t.equal(expectedCalibrationError([1, 1, 1], [true, true, true]), 0);
  t.equal(expectedCalibrationError([0.9, 0.9], [false, false]), 0.9);
  t.equal(expectedCalibrationError([], []), 0);
});

t.test('split-conformal intervals cover about 90% of new points', async (t) => {
  const r = rng(11);
  const cal = Array.from({ length: 2000 }, () => Math.abs(gauss(r) * 0.1));
  const q = conformalQuantile(cal, 0.9);
  let cov = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) if (Math.abs(gauss(r) * 0.1) <= q) cov++;
  t.ok(cov / n > 0.88 && cov / n < 0.92, `coverage ${cov / n}`);
  t.equal(conformalQuantile([1, 2, 3], 0.9), Infinity, 'too few points for 90%: no finite interval');
  t.equal(conformalQuantile([3, 1, 2, 4, 5, 6, 7, 8, 9, 10], 0.5), 6, 'ceil((n+1) 0.5) = 6th smallest');
  t.same(clippedInterval(0.95, 0.1), [0.85, 1]);
  t.same(clippedInterval(0.02, 0.1), [0, 0.12000000000000001]);
});

t.test('softmax head on label sets learns separable classes and honours partial labels', async (t) => {
  const r = rng(3);
  const X: number[][] = [];
  const masks: number[] = [];
  const centers = [[3, 0], [0, 3], [-3, 0], [0, -3]];
  for (let i = 0; i < 800; i++) {
    const k = i % 4;
    X.push([centers[k][0] + gauss(r), centers[k][1] + gauss(r)]);
    // a quarter of the non-class-0 rows only say "not class 0"
    masks.push(k !== 0 && i % 8 === 1 ? 0b1110 : 1 << k);
  }
  const std = fitStandardizer(X, ['a', 'b']);
  const Z = X.map((x) => std.apply(x));
  const head = fitSoftmaxSets(Z, masks, new Float64Array(X.length).fill(1), { classes: ['h', 'c', 'p', 'e'], l2: 1e-4 });
  let correct = 0;
  X.forEach((x, i) => {
    const p = head.probs(std.apply(x));
    if (p.indexOf(Math.max(...p)) === i % 4) correct++;
  });
  t.ok(correct / X.length > 0.9, `accuracy ${correct / X.length}`);
  // contributions are exact: terms + intercept = centred logit / T
  const z = std.apply([1, 2]);
  const l = head.logits(z);
  const m = l.reduce((a, b) => a + b, 0) / 4;
  for (let k = 0; k < 4; k++) {
    const c = head.contributions(z, k);
    const sum = c.terms.reduce((a, b) => a + b, 0) + c.intercept;
    t.ok(Math.abs(sum - (l[k] - m) / head.json.temperature) < 1e-9, `class ${k}`);
  }
  const h2 = new SoftmaxHead({ ...head.json, temperature: 2 });
  const c2 = h2.contributions(z, 1);
  t.ok(Math.abs(c2.terms.reduce((a, b) => a + b, 0) + c2.intercept - (l[1] - m) / 2) < 1e-9, 'with T = 2');
});

t.test('fractional logit regressor stays in [0, 1] and fits a proportion', async (t) => {
  const r = rng(5);
  const Z: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const x = gauss(r);
    Z.push([x]);
    y.push(sigmoid(1.5 * x - 0.5));
  }
  const m = fitFractionalLogit(Z, y, new Float64Array(Z.length).fill(1), { l2: 1e-6 });
  t.ok(Math.abs(m.json.weights[0] - 1.5) < 0.1, `w ${m.json.weights[0]}`);
  t.ok(Math.abs(m.json.intercept + 0.5) < 0.1, `b ${m.json.intercept}`);
  for (const x of [-1e6, -5, 0, 5, 1e6]) {
    const p = m.predict([x]);
    t.ok(p >= 0 && p <= 1, `bounded at ${x}`);
  }
});

t.test('standardizer clips and survives constant inputs', async (t) => {
  const s = fitStandardizer([[1, 5], [3, 5]], ['a', 'b']);
  t.same(Array.from(s.apply([2, 5])), [0, 0]);
  t.equal(s.apply([1e9, 5])[0], 8);
  t.equal(s.apply([Number.NaN, 5])[0], 0);
});

t.test('MLP head learns an interaction a linear head cannot, and its contributions add up', async (t) => {
  const r = rng(9);
  const Z: number[][] = [];
  const masks: number[] = [];
  for (let i = 0; i < 1200; i++) {
    const a = gauss(r);
    const b = gauss(r);
    Z.push([a, b]);
    masks.push(a * b > 0 ? 1 : 2); // XOR of signs: class 0 vs class 1
  }
  const w = new Float64Array(Z.length).fill(1);
  const acc = (p: (z: number[]) => number[]) => Z.filter((z, i) => (p(z)[0] > p(z)[1] ? 1 : 2) === masks[i]).length / Z.length;
  const lin = fitSoftmaxSets(Z, masks, w, { classes: ['a', 'b'], l2: 1e-4 });
  const mlp = fitMlpSets(Z, masks, w, { classes: ['a', 'b'], hidden: 16, epochs: 60, l2: 1e-5, lr: 5e-3 });
  t.ok(acc((z) => lin.probs(z)) < 0.65, `linear ${acc((z) => lin.probs(z))}`);
  t.ok(acc((z) => mlp.probs(z)) > 0.9, `mlp ${acc((z) => mlp.probs(z))}`);
  const z = [0.7, -1.2];
  const l = mlp.logits(z);
  const m = (l[0] + l[1]) / 2;
  for (let k = 0; k < 2; k++) {
    const c = mlp.contributions(z, k);
    const sum = c.terms.reduce((a, b) => a + b, 0) + c.intercept + c.rest;
    t.ok(Math.abs(sum - (l[k] - m)) < 1e-9, `class ${k}: terms + intercept + rest = centred logit`);
  }
  // deterministic: the same seed gives the same weights
  const again = fitMlpSets(Z, masks, w, { classes: ['a', 'b'], hidden: 16, epochs: 2, seed: 3 });
  const again2 = fitMlpSets(Z, masks, w, { classes: ['a', 'b'], hidden: 16, epochs: 2, seed: 3 });
  t.same(again.json.U, again2.json.U);
});

t.test('MLP ensemble: one network whose logits are the mean of its members\'', async (t) => {
  const r = rng(11);
  const Z: number[][] = [];
  const masks: number[] = [];
  for (let i = 0; i < 400; i++) {
    const a = gauss(r);
    const b = gauss(r);
    const c = gauss(r);
    Z.push([a, b, c]);
    masks.push(a + b * c > 0 ? 1 : a > 1 ? 6 : 4); // class 0, or a partial label {1, 2}, or class 2
  }
  const w = new Float64Array(Z.length).fill(1);
  const opts = { classes: ['a', 'b', 'c'], hidden: 8, epochs: 3, seed: 5 };
  const m0 = fitMlpSets(Z, masks, w, opts);
  const m1 = fitMlpSets(Z, masks, w, { ...opts, seed: 5 + 7919 });
  const ens = fitMlpSets(Z, masks, w, { ...opts, members: 2 });
  t.equal(ens.H, 16, 'hidden layers side by side');
  t.equal(ens.json.training?.members, 2);
  t.same(ens.json.U.slice(0, 8 * 3), m0.json.U, 'the first member is the single network of the same seed');
  t.notSame(m1.json.U, m0.json.U, 'members differ');
  for (const z of Z.slice(0, 20)) {
    const a = m0.logits(z);
    const b = m1.logits(z);
    const e = ens.logits(z);
    for (let k = 0; k < 3; k++) t.ok(Math.abs(e[k] - (a[k] + b[k]) / 2) < 1e-9, `logit ${k}: mean of the members`);
  }
  const avg = averageMlps([m0, m1]);
  t.same(avg.json.V, ens.json.V);
  const z = Z[3];
  const l = ens.logits(z);
  const c = ens.contributions(z, 1);
  const sum = c.terms.reduce((x, y) => x + y, 0) + c.intercept + c.rest;
  t.ok(Math.abs(sum - (l[1] - (l[0] + l[1] + l[2]) / 3)) < 1e-9, 'contributions still add up');
  t.throws(() => averageMlps([m0, fitMlpSets(Z.map((x) => x.slice(0, 2)), masks, w, opts)]), /differ/);
});

t.test('marker words: kept only when they lean the same way in several data sets', async (t) => {
  const rows: { text: string; llm: boolean; source: string }[] = [];
  for (const src of ['a', 'b', 'c', 'd']) {
    for (let i = 0; i < 40; i++) {
      rows.push({ text: `plain words here ${src === 'a' ? 'newsy' : ''} number ${i}`, llm: false, source: src });
      // "delve" leans LLM everywhere; "newsy" only marks source a's human texts; "tapestry" only in b
      rows.push({ text: `we delve into it ${src === 'b' ? 'tapestry' : ''} number ${i}`, llm: true, source: src });
    }
  }
  const lex = buildLexicon(rows, { minSources: 3, perSide: 10, minLean: 0.4 });
  t.ok(lex.tokens.includes('delve'));
  t.notOk(lex.tokens.includes('newsy'));
  t.notOk(lex.tokens.includes('tapestry'));
  const v = lexiconVector(lex, 'Delve, delve and DELVE.');
  t.ok(v[lex.tokens.indexOf('delve')] > 0);
  t.equal(lexiconVector(lex, '').length, lex.tokens.length);
});

t.test('fitMlpSets: the same network bit for bit as the one-unit-at-a-time loops of 8a21916', async (t) => {
  // the fit's loops take four hidden units (and four classes) per pass over the inputs; each sum still adds in
  // the order of the inputs, so the result must not move by one bit. These sha256 prefixes are what
  // training/fit/mlp.ts at 8a21916 gives; the shapes exercise the four-wide blocks and the remainders.
  // Exact on every CPU, AVX2 or AVX-512 alike: the fit is plain JavaScript doubles (IEEE 754, rounded after each
  // operation, never fused into an FMA) and V8's own Math.exp / log / cos / pow, not the CPU's vector kernels.
  const expected: Record<string, string> = { '4x6x13': '4026d87c30d4de9b', '2x9x7': '8dd3c013a32454f8', '5x8x11': '153b7c10eb320b77' };
  for (const [K, H, d] of [[4, 6, 13], [2, 9, 7], [5, 8, 11]]) {
    const rnd = mulberry32(11);
    const n = 60;
    const Z = Array.from({ length: n }, () => Float64Array.from({ length: d }, () => rnd() * 2 - 1));
    const masks = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? (1 << K) - 1 : 1 << (i % K)));
    const w = Array.from({ length: n }, (_, i) => 0.5 + (i % 3));
    const head = fitMlpSets(Z, masks, w, { classes: Array.from({ length: K }, (_, k) => `c${k}`), hidden: H, epochs: 3, batch: 16, l2: 0.01 });
    t.equal(createHash('sha256').update(JSON.stringify(head.json)).digest('hex').slice(0, 16), expected[`${K}x${H}x${d}`], `${K} classes, ${H} units, ${d} inputs`);
  }
});
